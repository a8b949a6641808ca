# Shannon — the two commands are `make demo` and `make test`; the rest builds on them.
SWIFT ?= swift
.DEFAULT_GOAL := build
.PHONY: deps build release demo test bench clean

deps:
	@ops/dev/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Runs the demo on an embedded broker: no external services.
demo: release
	$(SWIFT) run -c release --skip-build shannon demo

## Runs the whole test suite (unit, fixtures, simulations, Kafka integration on the embedded broker).
test: deps
	$(SWIFT) build --build-tests
	ops/dev/run-tests.sh

## Throughput and memory benchmarks, as ratios against baselines measured in the same run.
bench: release
	ops/bench/run.sh

clean:
	rm -rf .build
