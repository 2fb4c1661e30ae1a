# pagebot — the two commands of the README, and a few helpers.
GO ?= go

.PHONY: run test bench eval build

## run: start pagebot on its embedded defaults (SQLite, sample CAF FAQ, dry-run towards Facebook)
run:
	$(GO) run ./cmd/pagebot serve

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 ./...

## bench: the Go benchmarks quoted in the README
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bot ./kb ./pii

## eval: the labelled CAF evaluation set, with the bar the tests hold
eval:
	$(GO) run ./cmd/pagebot eval --cases bot/testdata/eval-caf.jsonl --min-accuracy 0.90 --max-wrong 0.02 --min-escalation-recall 0.90

## build: a static binary in ./pagebot
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o pagebot ./cmd/pagebot
