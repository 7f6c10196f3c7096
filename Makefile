# tend — make targets. `make demo` and `make test` are the two commands the
# README promises work on a fresh Debian machine with Go.

SHELL   := /bin/bash
GO      ?= go
BIN     := bin
TEND    := $(BIN)/tend
VERSION ?= 0.1.0-dev
# Binaries are stripped (-s -w: no symbol table or DWARF; stack traces
# still name functions): a provider binary is hashed against the lock file
# when it starts, and a stripped one is about 30% smaller.
STRIP   := -s -w
LDFLAGS := $(STRIP) -X main.version=$(VERSION)
FLEET   ?= 10000
ROUNDS  ?= 5
SERVE_HOSTS ?= 1000

STATICCHECK        := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PROTOC_GEN_GO      := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2

.PHONY: all build deps demo-deps demo test vet lint fmt-check script-grammar fuzz bench bench-deps bench-go bench-agents generate generate-check proto clean

all: build

build:
	$(GO) build -buildvcs=auto -ldflags "$(LDFLAGS)" -o $(TEND) ./cmd/tend
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-provider-apt ./providers/apt/cmd/tend-provider-apt
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-provider-windowsupdate ./providers/windowsupdate/cmd/tend-provider-windowsupdate
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-provider-winget ./providers/winget/cmd/tend-provider-winget
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-provider-fwupd ./providers/fwupd/cmd/tend-provider-fwupd
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-fleetgen ./cmd/tend-fleetgen
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-aptlab ./cmd/tend-aptlab

# need installs, as root, the Debian packages whose command is missing,
# given as command:package pairs ("dpkg-scanpackages:dpkg-dev"), and
# nothing else.
need = pkgs=""; \
	for cp in $(1); do command -v "$${cp%%:*}" >/dev/null || pkgs="$$pkgs $${cp\#*:}"; done; \
	if [ -n "$$pkgs" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "missing:$$pkgs — run as root or apt-get install$$pkgs"; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs; \
	fi

# What the demo uses: dpkg-dev builds the lab's packages and repository
# (apt and dpkg are on every Debian machine) and git holds the daemon's
# configuration repository.
demo-deps:
	@$(call need,dpkg-scanpackages:dpkg-dev git:git)

# What the tests use besides: openssh-server provides the sshd the SSH
# transport is tested against (the tests start their own on 127.0.0.1;
# the package also enables one at boot, which is why only make test
# installs it); chromium opens the HTML report headless (cmd/tend's
# TestHTMLReportInChromium). fwupd (fwupdmgr, fwupdtool and the daemon with
# its test plugin) and dbus-daemon run the real fwupd the fwupd provider is
# tested against (the tests start a private system bus and fwupd with their
# configuration in a temporary directory). protobuf-compiler comes with
# make generate. python3-aiosmtpd is the SMTP server the notification tests
# send mail to (started on 127.0.0.1 by the tests, STARTTLS required).
deps: demo-deps
	@$(call need,/usr/sbin/sshd:openssh-server chromium:chromium fwupdmgr:fwupd dbus-daemon:dbus-daemon /usr/bin/aiosmtpd:python3-aiosmtpd)

# The main job, for real: the quickstart policy (security updates only)
# against a hermetic Debian root with a local repository — init, plan, apply
# with the real apt provider, a second plan that finds nothing to do, and the
# compliance report.
# Then the daemon: a second lab's configuration committed to a Git
# repository, one `tend serve --once` reconcile (scan, apply, reports
# committed to the tend/reports branch), and a second one that finds nothing
# new and commits nothing.
# Then the MSP example planned offline from its snapshots, inside its window,
# and the HTML compliance report of the daemon's lab, from its reports
# branch.
LAB := $(BIN)/lab
DEMOGIT := git -c user.name=tend-demo -c user.email=demo@localhost -c init.defaultBranch=main
demo: demo-deps build
	$(TEND) version
	rm -rf $(LAB) && $(BIN)/tend-aptlab -dir $(LAB)
	@echo; echo "== tend init: lock the apt provider =="
	$(TEND) init -C $(LAB)/config
	@echo; echo "== tend plan: scan the root, plan (exit 2: changes) =="
	$(TEND) plan -C $(LAB)/config --detailed-exitcode || [ $$? = 2 ]
	@echo; echo "== tend apply: one apt transaction =="
	$(TEND) apply -C $(LAB)/config --auto-approve
	@echo; echo "== tend plan again: nothing left to do (exit 0) =="
	$(TEND) plan -C $(LAB)/config --detailed-exitcode
	@echo; echo "== tend report: compliance =="
	$(TEND) report -C $(LAB)/config
	@echo; echo "== tend serve --once: the daemon, on a Git repository (a fresh lab) =="
	rm -rf $(LAB)-git && $(BIN)/tend-aptlab -dir $(LAB)-git
	$(TEND) init -C $(LAB)-git/config
	@echo "committing $(LAB)-git/config to the repository $(LAB)-git/patching.git"
	@$(DEMOGIT) init -q --bare $(LAB)-git/patching.git
	@cd $(LAB)-git/config && $(DEMOGIT) init -q && $(DEMOGIT) add -A && $(DEMOGIT) commit -q -m "patch policy" && $(DEMOGIT) push -q ../patching.git main
	$(TEND) serve --once --repo $(CURDIR)/$(LAB)-git/patching.git --state-dir $(LAB)-git/state
	git -C $(LAB)-git/patching.git log --format='%h %s' tend/reports
	git -C $(LAB)-git/patching.git show tend/reports:SUMMARY.md
	@echo; echo "== tend serve --once again: nothing new, no commit =="
	$(TEND) serve --once --repo $(CURDIR)/$(LAB)-git/patching.git --state-dir $(LAB)-git/state
	git -C $(LAB)-git/patching.git log --format='%h %s' tend/reports
	@echo; echo "== The MSP example, offline, inside Saturday night's window =="
	$(TEND) validate -C examples/msp-fleet
	$(TEND) plan -C examples/msp-fleet --inventory examples/msp-fleet/snapshots --at 2026-11-28T22:30:00+01:00
	@echo; echo "== tend report --html: the daemon's lab as a static site, with its history =="
	@cd $(LAB)-git/config && $(DEMOGIT) fetch -q ../patching.git +tend/reports:tend/reports
	$(TEND) report -C $(LAB)-git/config --inventory git:tend/reports --html $(LAB)-git/html
	@echo; echo "Open the HTML compliance report: file://$(CURDIR)/$(LAB)-git/html/index.html"

# The whole test suite: formatting, vet, staticcheck, and every test with the
# race detector. The per-package timeout is far above what any package needs
# (core/daemon, the slowest, takes about two minutes idle): a busy machine
# must not fail the suite by being slow.
test: deps fmt-check vet lint generate-check script-grammar
	$(GO) test -race -count=1 -timeout 45m ./...
	$(GO) test -count=1 -tags pwshgrammar ./providers/internal/winscript/psgrammar

# The PowerShell grammar the embedded Windows scripts are parse-checked
# with (providers/internal/winscript/psgrammar): tree-sitter-powershell's
# generated C sources, from its npm package at a pinned version and
# checksum (the Go module proxy does not serve the grammar).
PS_GRAMMAR        := tree-sitter-powershell@0.26.4
PS_GRAMMAR_SHA256 := 92f0ce6497f1456248eb1a2d74c567cdfb1328cccd573c1a48d1b7c4e76b53e3
PS_GRAMMAR_DIR    := $(BIN)/tree-sitter-powershell
script-grammar:
	@if [ ! -f $(PS_GRAMMAR_DIR)/.sha256 ] || [ "$$(cat $(PS_GRAMMAR_DIR)/.sha256)" != $(PS_GRAMMAR_SHA256) ]; then \
		command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }; \
		rm -rf $(PS_GRAMMAR_DIR) $(BIN)/ps-grammar && mkdir -p $(BIN)/ps-grammar && \
		npm pack --silent --pack-destination $(BIN)/ps-grammar $(PS_GRAMMAR) >/dev/null && \
		echo "$(PS_GRAMMAR_SHA256)  $$(ls $(BIN)/ps-grammar/*.tgz)" | sha256sum -c --quiet && \
		tar xzf $(BIN)/ps-grammar/*.tgz -C $(BIN)/ps-grammar && mv $(BIN)/ps-grammar/package $(PS_GRAMMAR_DIR) && \
		rm -rf $(BIN)/ps-grammar && echo $(PS_GRAMMAR_SHA256) > $(PS_GRAMMAR_DIR)/.sha256; \
	fi

lint:
	GOFLAGS= GOBIN=$(CURDIR)/$(BIN) $(GO) install $(STATICCHECK)
	$(BIN)/staticcheck ./...

vet:
	$(GO) mod download
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Fuzzing: every fuzz target for FUZZTIME each (CI runs only the seed
# corpora and the regression inputs under testdata/fuzz/, as part of go
# test). go test -fuzz takes one target per run, hence one line each; the
# anchors keep FuzzParseStatus from matching FuzzParseStatusFile. A new
# target needs its line here: `grep -rn "func Fuzz" --include=*_test.go .`
FUZZTIME ?= 60s
FUZZ     = $(GO) test -run '^$$' -fuzztime $(FUZZTIME)
fuzz:
	$(FUZZ) ./core/config -fuzz '^FuzzLoad$$'
	$(FUZZ) ./core/config -fuzz '^FuzzHostList$$'
	$(FUZZ) ./core/schedule -fuzz '^FuzzParseCron$$'
	$(FUZZ) ./core/debversion -fuzz '^FuzzCompare$$'
	$(FUZZ) ./core/version -fuzz '^FuzzCompare$$'
	$(FUZZ) ./core/model -fuzz '^FuzzUpdateJSON$$'
	$(FUZZ) ./core/model -fuzz '^FuzzActionCountsJSON$$'
	$(FUZZ) ./core/inventory -fuzz '^FuzzParse$$'
	$(FUZZ) ./core/webhook -fuzz '^FuzzHandler$$'
	$(FUZZ) ./core/webhook -fuzz '^FuzzSignature$$'
	$(FUZZ) ./core/webhook -fuzz '^FuzzParsePayload$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseStatus$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseStatusFile$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseUpgradable$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseMadison$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzHeadFiles$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseOSRelease$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseSteps$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzParseArchFile$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzTail$$'
	$(FUZZ) ./providers/apt -fuzz '^FuzzInventory$$'

# Benchmarks. make bench: each tend command side by side with the tool it
# replaces on the same synthetic fleet (plan: 1,000 hosts against jq, FLEET
# hosts against cat; report --commit: 1,000 hosts, then 1% of them changed,
# against git add -A && git commit), interleaved A B A B over ROUNDS rounds,
# medians of CPU and wall time and peak RSS written into docs/benchmarks.md
# (cmd/tend-bench/bench.sh). BENCH_QUICK=1 plans 2,000 hosts instead of
# 10,000. No benchmark is a timed assertion of make test.
bench: build bench-deps
	$(GO) build -o $(BIN)/tend-bench ./cmd/tend-bench
	BIN=$(BIN) FLEET=$(FLEET) ROUNDS=$(ROUNDS) SERVE_HOSTS=$(SERVE_HOSTS) BENCH_QUICK=$(BENCH_QUICK) ./cmd/tend-bench/bench.sh
	@if [ -n "$(BENCH_AGENTS)" ]; then $(MAKE) --no-print-directory bench-agents; fi

# Agent mode at fleet scale (cmd/tend-agentbench): AGENTS simulated agents
# (default 1,000 then 10,000), each its own NATS connection, against a
# nats-server in a process of its own: desired state to every agent, a
# 5,000-host ring through the TEND_JOBS work queue, scan ingest and a
# server restart with jittered reconnects. Figures (server CPU seconds and
# RSS apart from the agents') go to $(BIN)/bench/agents-N.md and .json; about
# 2 minutes in all on 2 cores. make bench runs it with BENCH_AGENTS=1.
AGENTS ?= 1000 10000
# Then the Git step: a real daemon (scan-only, --reports-per-client) under a
# steady stream of scans from GIT_CLIENTS × GIT_HOSTS agent hosts for
# GIT_DURATION, and the commits per minute per client it made (about 5
# minutes); it needs the apt provider beside the benchmark to lock it.
GIT_CLIENTS ?= 20
GIT_HOSTS ?= 500
GIT_DURATION ?= 3m
bench-agents:
	$(GO) build -o $(BIN)/tend-agentbench ./cmd/tend-agentbench
	$(GO) build -ldflags "$(STRIP)" -o $(BIN)/tend-provider-apt ./providers/apt/cmd/tend-provider-apt
	@mkdir -p $(BIN)/bench
	set -e; for n in $(AGENTS); do \
		$(BIN)/tend-agentbench -agents $$n -json $(BIN)/bench/agents-$$n.json | tee $(BIN)/bench/agents-$$n.md; \
	done
	$(BIN)/tend-agentbench -git -git-clients $(GIT_CLIENTS) -git-hosts $(GIT_HOSTS) -git-duration $(GIT_DURATION) \
		-json $(BIN)/bench/agents-git.json | tee $(BIN)/bench/agents-git.md

# jq is the plan's baseline (and edits the changed snapshots); git the
# reports'; dpkg-dev builds the lab host the replayed daemon run records.
bench-deps:
	@$(call need,jq:jq git:git dpkg-scanpackages:dpkg-dev)

# The Go benchmarks: the pure planner on synthetic fleets (up to 10,000
# hosts x 1,000 installed x 30 available; its setup generates 1.6 GB of
# snapshots in memory), the apt provider against apt itself (long: real
# dpkg transactions), the daemon's push-to-apply latency and the HTML
# report.
bench-go: build
	$(GO) test ./core/planner ./core/schedule ./core/debversion -run '^$$' -bench . -benchmem -timeout 60m
	set -o pipefail; $(GO) test ./providers/apt -run '^$$' -bench . -benchtime 20x -timeout 60m | tee $(BIN)/apt-bench.txt
	set -o pipefail; $(GO) test ./core/daemon -run '^$$' -bench WebhookToApply -benchtime 20x | tee $(BIN)/daemon-bench.txt
	@awk '/^BenchmarkWebhookToApply-/ {printf "\npush -> apply-start median: %s ms (poll interval default: 60000 ms; ratio %.4f)\n", $$5, $$5/60000}' $(BIN)/daemon-bench.txt
	@awk '/^BenchmarkScan-/ {s=$$3} /AptListUpgradable\/root-options/ {l=$$3} /AptListUpgradable\/with-architectures/ {w=$$3} \
		/^BenchmarkApply300-/ {a=$$3} /^BenchmarkAptGetInstall300-/ {g=$$3} \
		/^BenchmarkApply300Checked-/ {for (i = 2; i <= NF; i++) if ($$i == "ratio") c=$$(i-1)} \
		END {printf "\nratios (goal <= 1.0 for scan, <= 1.1 for apply):\n  apt scan / apt list --upgradable:              %.2f\n  apt scan / apt list --upgradable, tuned options: %.2f\n  apt apply 300 / apt-get install 300:           %.2f\n  apt apply 300 checked / unchecked:             %.2f\n", s/l, s/w, a/g, c}' $(BIN)/apt-bench.txt
	$(GO) test ./core/htmlreport -run '^$$' -bench HTMLReport -benchtime 1x -timeout 60m

# Regenerate the provider protocol's Go code (committed). `make test`
# checks that this leaves no diff.
generate: proto

generate-check:
	@before=$$(cat plugins/proto/providerv1/*.go | sha256sum); \
	$(MAKE) -s --no-print-directory generate >/dev/null || exit 1; \
	after=$$(cat plugins/proto/providerv1/*.go | sha256sum); \
	if [ "$$before" != "$$after" ]; then \
		echo "make generate changed plugins/proto/providerv1: commit the regenerated code"; git diff --stat -- plugins/proto; exit 1; \
	fi

proto:
	command -v protoc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends protobuf-compiler; }
	GOFLAGS= GOBIN=$(CURDIR)/$(BIN) $(GO) install $(PROTOC_GEN_GO)
	GOFLAGS= GOBIN=$(CURDIR)/$(BIN) $(GO) install $(PROTOC_GEN_GO_GRPC)
	PATH=$(CURDIR)/$(BIN):$$PATH protoc -I plugins/proto \
		--go_out=plugins/proto/providerv1 --go_opt=paths=source_relative \
		--go-grpc_out=plugins/proto/providerv1 --go-grpc_opt=paths=source_relative \
		plugins/proto/provider.proto

clean:
	rm -rf $(BIN)
