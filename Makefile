# kms-exposure: the two commands that set everything up on a fresh machine are
# `make demo` and `make test`.

CARGO ?= cargo
PYTHON ?= python3
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < tests/validators/requirements.txt | cut -d' ' -f1)
PVENV ?= .venv-prowler
PSTAMP := $(PVENV)/.installed-$(shell cksum < tests/prowler/requirements.txt | cut -d' ' -f1)
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_EC2_METADATA_DISABLED := true


.PHONY: build release demo venv venv-prowler test test-prowler test-rust test-validators fuzz bench-engine bench-scan bench-compare bench schemas clean-venv

build:
	$(CARGO) build --locked

release:
	$(CARGO) build --locked --release

# Python tools the tests use (moto, py-ocsf-models, botocore), in a venv of their own.
venv: $(STAMP)
$(STAMP): tests/validators/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r tests/validators/requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Prowler (for the plugin tests and the benchmark), in a venv of its own: it pins many
# packages of its own.
venv-prowler: $(PSTAMP)
$(PSTAMP): tests/prowler/requirements.txt
	$(PYTHON) -m venv $(PVENV)
	$(PVENV)/bin/pip install -q --upgrade pip
	$(PVENV)/bin/pip install -q -r tests/prowler/requirements.txt
	rm -f $(PVENV)/.installed-*
	touch $@

# A full scan of an emulated account (moto on loopback), with findings written.
demo: venv build
	bash scripts/demo.sh

# Everything the tests need is installed here, so this works on a fresh clone.
test: venv test-rust test-validators test-prowler

test-rust:
	$(CARGO) test --locked

# Sample OCSF and ASFF files checked by py-ocsf-models and botocore's own validation.
test-validators: venv
	rm -rf target/sample-findings
	$(CARGO) run --locked -q --example sample_findings -- target/sample-findings
	./target/debug/kms-exposure validate target/sample-findings/*
	$(PY) tests/validators/validate_outputs.py target/sample-findings/*.json

# Prowler with our plugin, against moto: our verdicts in Prowler's own outputs.
test-prowler: venv venv-prowler
	$(CARGO) test --locked --no-run -q
	$(PVENV)/bin/pip install -q --no-deps --force-reinstall ./integrations/prowler
	PATH="$(CURDIR)/target/debug:$$PATH" $(PVENV)/bin/python tests/prowler/test_plugin.py

# Regenerate the bundled schemas (needs shared/reference beside the repository).
schemas: venv
	$(PY) schemas/derive/derive_ocsf.py
	$(PY) schemas/derive/derive_asff.py
	$(PY) schemas/derive/derive_metadata.py ../shared/reference/prowler-aws-check-types.json

# A long property-test run of the policy engine, the mutelist loader and the ASFF reader
# (`make test` runs the same properties with 1,000-2,000 cases each).
fuzz:
	PROPTEST_CASES=$(or $(CASES),200000) $(CARGO) test --locked --release --test engine_props --test hostile_input

# Engine throughput (policies per second on one core).
bench-engine:
	$(CARGO) bench --locked --bench engine

# Scan of a seeded emulated account: wall time, API requests per key, peak memory.
bench-scan: venv release
	$(PY) benches/scan_bench.py target/release/kms-exposure --keys $(or $(KEYS),1000) --regions $(or $(REGIONS),3)

# Side by side with Prowler on the same emulated account, then on a recorded copy served
# with 30 ms per call; writes the figures to stdout (record them in benches/RESULTS.md).
bench-compare: venv venv-prowler release
	$(PVENV)/bin/python benches/compare.py target/release/kms-exposure --keys $(or $(KEYS),300) --regions $(or $(REGIONS),3) --runs $(or $(RUNS),3)

bench: bench-engine bench-compare bench-scan

clean-venv:
	rm -rf $(VENV)
