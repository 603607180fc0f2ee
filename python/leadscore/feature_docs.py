"""Render seed feature_dictionary's descriptions as dbt docs blocks (models/docs/features.md).

The dictionary is the one place a feature is described: the reasons are rendered from it,
and the YAML of the feature models reads each column's description from these blocks
(`description: '{{ doc("feature_<name>") }}'`). Run `python -m leadscore.feature_docs`
after editing the seed; tests/python/test_project_conventions.py checks the two agree.
"""

from __future__ import annotations

import csv
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SEED = PROJECT / "seeds" / "feature_dictionary.csv"
DOCS = PROJECT / "models" / "docs" / "features.md"


def read_feature_dictionary(path: Path = SEED) -> dict[str, str]:
    """Feature name -> description, in the seed's order."""
    with path.open(newline="") as handle:
        return {row["feature"]: row["description"].strip() for row in csv.DictReader(handle)}


def render_feature_docs(dictionary: dict[str, str]) -> str:
    """One `{% docs feature_<name> %}` block per feature."""
    blocks = [
        "<!-- Rendered from seeds/feature_dictionary.csv by `python -m leadscore.feature_docs`:"
        " edit the seed, not this file. -->\n"
    ]
    for feature, description in dictionary.items():
        blocks.append(f"{{% docs feature_{feature} %}}\n{description}\n{{% enddocs %}}\n")
    return "\n".join(blocks)


def main() -> None:
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(render_feature_docs(read_feature_dictionary()))
    print(f"wrote {DOCS.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
