# NetDebug. The two commands a new machine needs:
#   make run    install what is missing, build, and open the window
#   make test   install what the tests need, then check everything
# Also: make bench, make package, make release, make install, make uninstall.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: run build test lint unit smoke bench package release install uninstall clean deps-build deps-test deps-release

GO = $(shell .ci/go.sh)
# An exact vX.Y.Z git tag wins over FyneApp.toml (as in .ci/release.sh).
VERSION := $(shell git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null | sed 's/^v//' || true)
ifeq ($(VERSION),)
VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
endif
BUILD := $(shell sed -n 's/^ *Build *= *\([0-9]*\).*/\1/p' FyneApp.toml)
LDFLAGS := -X main.version=$(VERSION) -X main.build=$(BUILD)
# Test runs need the real TFTP peers: no silent skips in CI.
TEST_ENV := NETDEBUG_REQUIRE_PEERS=1 ATFTPD=$(CURDIR)/.ci/cache/atftpd/usr/sbin/atftpd

deps-build:
	@.ci/deps.sh build
deps-test:
	@.ci/deps.sh test
deps-release:
	@.ci/deps.sh release

dist/netdebug: deps-build FORCE
	@mkdir -p dist
	$(GO) build -ldflags "$(LDFLAGS)" -o dist/netdebug ./app
FORCE:

build: dist/netdebug

run: dist/netdebug
	./dist/netdebug

test: deps-test lint unit smoke

lint:
	@out=$$(gofmt -l app netcore widgets assets); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@deps=$$($(GO) list -deps ./netcore/... | grep '^fyne.io/' || true); if [ -n "$$deps" ]; then echo "netcore imports Fyne: $$deps"; exit 1; fi

unit: deps-test
	$(TEST_ENV) $(GO) test -race -timeout 20m ./...

smoke: dist/netdebug deps-test
	.ci/smoke.sh dist/netdebug

# Benchmarks and side-by-side comparisons. Quote medians from one run.
# The last line is the real-window benchmark under Xvfb (RSS idle, under a
# 50 MB/s and a full-speed flood, after Clear; click-to-screen latency);
# BENCH_STRICT=1 makes a missed target fail it, BENCH_FLOOD_SECONDS shortens it.
bench: deps-test dist/netdebug
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchmem -count 3 -timeout 60m ./...
	$(TEST_ENV) NETDEBUG_BENCH=1 $(GO) test -run 'TestCompare' -v -count 1 -timeout 60m ./...
	.ci/bench-window.sh dist/netdebug

# The Linux tarball, built with the pinned fyne CLI and checked.
package: deps-release
	.ci/release.sh linux

# Linux tarball and Windows zip in dist/, each checked; fails when a check fails.
release: deps-release
	.ci/release.sh all

LINUX_PKG := dist/netdebug-$(VERSION)-linux-amd64.tar.xz
# Rebuilt when any source changed since, so install never ships a stale build.
PKG_SOURCES := $(shell find app netcore widgets assets -type f 2>/dev/null) go.mod go.sum FyneApp.toml .ci/release.sh
$(LINUX_PKG): $(PKG_SOURCES)
	@$(MAKE) --no-print-directory package

# Install for the current user (~/.local) from the Linux package.
install: $(LINUX_PKG)
	@tmp=$$(mktemp -d) && tar -xJf $(LINUX_PKG) -C $$tmp && $(MAKE) --no-print-directory -C $$tmp user-install && rm -rf $$tmp
	@command -v update-desktop-database >/dev/null && update-desktop-database $(HOME)/.local/share/applications 2>/dev/null || true
	@echo "NetDebug installed: $(HOME)/.local/bin/netdebug and a launcher entry"

uninstall:
	rm -f $(HOME)/.local/share/applications/io.github.netdebug.netdebug.desktop $(HOME)/.local/bin/netdebug $(HOME)/.local/share/icons/io.github.netdebug.netdebug.png
	@command -v update-desktop-database >/dev/null && update-desktop-database $(HOME)/.local/share/applications 2>/dev/null || true

clean:
	rm -rf dist .ci/out
