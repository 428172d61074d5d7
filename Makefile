# kms-exposure: the two commands that set everything up on a fresh machine are
# `make demo` and `make test`.

CARGO ?= cargo
VENV  ?= .venv
PY    := $(VENV)/bin/python

.PHONY: build release demo test test-rust bench-engine bench clean-venv

build:
	$(CARGO) build --locked

release:
	$(CARGO) build --locked --release

# The offline demo: the verdict of each example policy.
demo: build
	@for p in examples/policies/*.json; do \
	  echo "== $$p"; ./target/debug/kms-exposure evaluate --policy $$p --account 111122223333; \
	  echo "(exit $$?)"; done

# Everything the tests need is installed here, so this works on a fresh clone.
test: test-rust

test-rust:
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	  $(CARGO) test --locked

# Engine throughput (policies per second on one core).
bench-engine:
	$(CARGO) bench --locked --bench engine

bench: bench-engine

clean-venv:
	rm -rf $(VENV)
