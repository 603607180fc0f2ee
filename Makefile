# The two commands: `make demo` and `make test`. Everything installs into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_LEADS ?= 20000
DEMO_SEED ?= 42
RAW := data/raw
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install java browser demo demo-crm spark-demo build score bench report dashboard test test-fast lint pytest clean olist

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dashboard,spark]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium, for the report's rendering test (root installs it; CI runs as root)
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

# a Java runtime for the Spark target (Debian's OpenJDK 17; root installs it; CI runs as root)
java:
	@command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@java -version 2>&1 | head -1

# the demo on Apache Spark (local mode, target `spark`), in its own warehouse under
# data/spark/demo; Python models run through the launcher (docs/spark-python-models.md).
# A 2,000-lead world has ~95 conversions, under min_conversions (120): the demo lowers it
# to 60 so that a model is trained and scores the open leads.
SPARK_DEMO_LEADS ?= 2000
SPARK_DEMO := data/spark/demo
SPARK_DEMO_VARS ?= {raw_data_path: $(SPARK_DEMO)/raw, min_conversions: 60}
spark-demo: install java
	rm -rf $(SPARK_DEMO)
	@mkdir -p $(SPARK_DEMO)
	$(BIN)/leadscore generate --leads $(SPARK_DEMO_LEADS) --seed 7 --out $(SPARK_DEMO)/raw
	SPARK_WAREHOUSE=$(CURDIR)/$(SPARK_DEMO)/warehouse \
	  $(BIN)/python -m leadscore.engines.dbt_spark build --target spark \
	  --target-path $(SPARK_DEMO)/target --log-path $(SPARK_DEMO)/logs --vars '$(SPARK_DEMO_VARS)'
	SPARK_WAREHOUSE=$(CURDIR)/$(SPARK_DEMO)/warehouse \
	  $(BIN)/python -m leadscore.engines.spark_summary --raw $(SPARK_DEMO)/raw --db $(SPARK_DEMO)/summary.duckdb

# the demo starts from a fresh database (new data, new registry); `make build` keeps both
demo: install
	@mkdir -p data
	rm -f data/leadscore.duckdb data/leadscore.duckdb.wal
	$(BIN)/leadscore generate --leads $(DEMO_LEADS) --seed $(DEMO_SEED) --out $(RAW)
	$(BIN)/dbt build --vars '{raw_data_path: $(RAW)}'
	$(BIN)/leadscore publish --db data/leadscore.duckdb --to data/leadscore_bi.duckdb
	$(BIN)/leadscore summary --db data/leadscore.duckdb --raw $(RAW)
	$(BIN)/leadscore report --db data/leadscore.duckdb --out data/report.html

# the demo on a HubSpot or Salesforce sync (Fivetran's tables, written into the database
# by the generator): make demo-crm CRM=hubspot (or CRM=salesforce)
CRM ?= hubspot
demo-crm: install
	@mkdir -p data
	rm -f data/leadscore.duckdb data/leadscore.duckdb.wal
	$(BIN)/leadscore generate-crm --crm $(CRM) --leads $(DEMO_LEADS) --seed $(DEMO_SEED) --db data/leadscore.duckdb
	$(BIN)/dbt build --vars '{crm: $(CRM)}'
	$(BIN)/leadscore publish --db data/leadscore.duckdb --to data/leadscore_bi.duckdb
	$(BIN)/leadscore summary --db data/leadscore.duckdb

build: install
	$(BIN)/dbt build --vars '{raw_data_path: $(RAW)}'
	$(BIN)/leadscore publish --db data/leadscore.duckdb --to data/leadscore_bi.duckdb

# re-score the open leads with the current champion (no training, no evaluation)
score: install
	$(BIN)/dbt build --selector scoring_only --vars '{raw_data_path: $(RAW), scoring_only: true}'
	$(BIN)/leadscore publish --db data/leadscore.duckdb --to data/leadscore_bi.duckdb

# the scale benchmark: generate, full build, scoring-only build and the pandas peer per size
BENCH_SIZES ?= 10000,100000,1000000
BENCH_FLAGS ?=
bench: install
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES) --out data/bench $(BENCH_FLAGS)

# sqlfluff renders the models against an empty database, so incremental models lint in
# their full-build form whatever data/leadscore.duckdb holds
SQLFLUFF = mkdir -p target && rm -f target/sqlfluff.duckdb && DUCKDB_PATH=target/sqlfluff.duckdb $(BIN)/sqlfluff lint

lint: install
	$(BIN)/ruff check python tests bench models examples
	$(BIN)/ruff format --check python tests bench models examples
	$(BIN)/mypy
	$(SQLFLUFF) models tests
	$(SQLFLUFF) models/staging/hubspot --config tests/sqlfluff/hubspot.cfg
	$(SQLFLUFF) models/staging/salesforce --config tests/sqlfluff/salesforce.cfg

report: install
	$(BIN)/leadscore report --db data/leadscore.duckdb --out data/report.html

# the dashboard on the published BI copy (data/leadscore_bi.duckdb, from `make demo` or
# `make build`), read-only, on http://localhost:$(DASHBOARD_PORT) (loopback only)
DASHBOARD_PORT ?= 8501
dashboard: install
	$(BIN)/python -m leadscore.dashboard --db data/leadscore_bi.duckdb --port $(DASHBOARD_PORT)

# every test: the fast loop first (it fails in a minute or two), then the tests that build
# (Java: the Spark parity test builds the demo on Spark too)
pytest: install browser java
	$(BIN)/pytest -m unit -q
	$(BIN)/pytest -m "not unit"

test: lint pytest

# the fast loop: the unit tests alone (marker `unit`: no dbt build; see docs/development.md)
test-fast: install
	$(BIN)/pytest -m unit -q

clean:
	rm -rf $(VENV) data target logs

# flat mode on the real Olist funnel: build the flat CSV, score it into its own database
OLIST ?= examples/olist/data
OLIST_DB := data/olist.duckdb
olist: install
	@echo "Olist data (examples/olist/data): Kaggle 'Marketing Funnel by Olist', CC BY-NC-SA 4.0, non-commercial use only (examples/olist/README.md)"
	@mkdir -p data
	rm -f $(OLIST_DB) $(OLIST_DB).wal
	$(BIN)/python examples/olist/build_flat_csv.py --olist $(OLIST) --out data/olist_flat.csv
	DUCKDB_PATH=$(OLIST_DB) $(BIN)/dbt build --vars '{flat_file: data/olist_flat.csv, flat_id_column: mql_id, flat_label_column: converted, flat_created_at_column: first_contact_date}'
	$(BIN)/leadscore summary --db $(OLIST_DB)
	$(BIN)/leadscore report --db $(OLIST_DB) --out data/olist_report.html
