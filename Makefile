# tend — make targets. `make demo` and `make test` are the two commands the
# README promises work on a fresh Debian machine with Go.

SHELL   := /bin/bash
GO      ?= go
BIN     := bin
TEND    := $(BIN)/tend
VERSION ?= 0.1.0-dev
LDFLAGS := -X main.version=$(VERSION)
FLEET   ?= 10000

PROTOC_GEN_GO      := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2

.PHONY: all build demo test vet fmt-check fuzz bench proto clean

all: build

build:
	$(GO) build -buildvcs=auto -ldflags "$(LDFLAGS)" -o $(TEND) ./cmd/tend
	$(GO) build -o $(BIN)/tend-fleetgen ./cmd/tend-fleetgen

# The main job on the shipped example: validate the MSP fleet's configuration
# and plan it offline from its inventory snapshots, now and inside the
# weekend window.
demo: build
	$(TEND) version
	$(TEND) validate -C examples/msp-fleet
	@echo
	@echo "== Plan at Monday 2026-11-23 10:00 UTC (windows closed) =="
	$(TEND) plan -C examples/msp-fleet --inventory examples/msp-fleet/snapshots --at 2026-11-23T10:00:00Z
	@echo
	@echo "== Plan inside the Saturday-night window =="
	$(TEND) plan -C examples/msp-fleet --inventory examples/msp-fleet/snapshots --at 2026-11-28T22:30:00+01:00

# The whole test suite: formatting, vet, and every test with the race detector.
test: fmt-check vet
	$(GO) test -race -count=1 ./...

vet:
	$(GO) mod download
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Short fuzzing runs of every fuzz target (CI runs only the seed corpora,
# as part of go test).
fuzz:
	$(GO) test ./core/config -run '^$$' -fuzz FuzzLoad -fuzztime 60s
	$(GO) test ./core/schedule -run '^$$' -fuzz FuzzParseCron -fuzztime 30s
	$(GO) test ./core/debversion -run '^$$' -fuzz FuzzCompare -fuzztime 30s

# Benchmarks: the planner on synthetic fleets (up to 10,000 hosts x 1,000
# installed x 30 available; its setup generates 1.6 GB of snapshots in
# memory), then `tend plan` end to end on FLEET hosts read from disk.
bench: build
	$(GO) test ./core/planner ./core/schedule ./core/debversion -run '^$$' -bench . -benchmem -timeout 60m
	rm -rf $(BIN)/fleet && $(BIN)/tend-fleetgen -hosts $(FLEET) -out $(BIN)/fleet
	time $(TEND) plan -C $(BIN)/fleet/config --inventory $(BIN)/fleet/snapshots \
		--at 2026-11-28T22:30:00+01:00 --json > $(BIN)/fleet/plan.json
	@ls -l $(BIN)/fleet/plan.json

# Regenerate the provider protocol's Go code (committed; CI does not run this).
proto:
	command -v protoc >/dev/null || apt-get install -y protobuf-compiler
	GOFLAGS= GOBIN=$(CURDIR)/$(BIN) $(GO) install $(PROTOC_GEN_GO)
	GOFLAGS= GOBIN=$(CURDIR)/$(BIN) $(GO) install $(PROTOC_GEN_GO_GRPC)
	PATH=$(CURDIR)/$(BIN):$$PATH protoc -I plugins/proto \
		--go_out=plugins/proto/providerv1 --go_opt=paths=source_relative \
		--go-grpc_out=plugins/proto/providerv1 --go-grpc_opt=paths=source_relative \
		plugins/proto/provider.proto

clean:
	rm -rf $(BIN)
