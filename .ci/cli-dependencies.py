#!/usr/bin/env python3
"""Checks that the `grant-ledger` product depends on no package but swift-argument-parser: a newcomer's
`swift run grant-ledger demo` must not build NIO, Hummingbird or any server dependency.

Reads `swift package describe --type json` on stdin; follows the product's targets through their target
dependencies and lists every package product they use."""
import json
import sys

ALLOWED = {"ArgumentParser"}

package = json.load(sys.stdin)
targets = {target["name"]: target for target in package["targets"]}
product = next(p for p in package["products"] if p["name"] == "grant-ledger")
seen, stack, used = set(), list(product["targets"]), set()
while stack:
    name = stack.pop()
    if name in seen or name not in targets:
        continue
    seen.add(name)
    stack.extend(targets[name].get("target_dependencies", []))
    used.update(targets[name].get("product_dependencies", []))
if used - ALLOWED:
    print(f"CI: grant-ledger depends on {sorted(used - ALLOWED)} through {sorted(seen)}", file=sys.stderr)
    sys.exit(1)
print(f"grant-ledger: targets {sorted(seen)}, packages {sorted(used)}")
