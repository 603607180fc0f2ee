"""Synthetic CRM export generator: realistic, messy, deterministic for a seed."""

from leadscore.demo.generator.build import MANIFEST, RAW_TABLES, TRUTH_DIR, generate
from leadscore.demo.generator.config import GeneratorConfig

__all__ = ["MANIFEST", "RAW_TABLES", "TRUTH_DIR", "GeneratorConfig", "generate"]
