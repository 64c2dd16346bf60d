#!/usr/bin/env python3
"""A process node for test/impl.test.ts that misbehaves on purpose: it is the example Python node
until its node S2 has answered `after` requests, then it exits, prints garbage, or answers late.

    python3 misbehaving-node.py exit|garbage|late AFTER
"""
import importlib.util
import json
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "..", "..", "examples", "py-raft", "node.py")
spec = importlib.util.spec_from_file_location("node", path)
node_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(node_module)

how, after = sys.argv[1], int(sys.argv[2])
node = None
answered = 0
for line in sys.stdin:
    req = json.loads(line)
    if req["type"] == "hello":
        print(json.dumps({"name": "misbehaving-" + how, "protocol": 1, "capabilities": {"campaign": True}}), flush=True)
        continue
    if req["type"] == "init":
        node = node_module.Node(req, None)
    elif node.id == 2 and answered >= after:
        if how == "exit":
            sys.stderr.write("fatal: out of cheese\n")
            sys.exit(3)
        if how == "garbage":
            print("panic: this is not JSON", flush=True)
            continue
        if how == "late":
            time.sleep(2)
    result = None
    if req["type"] == "tick":
        node.tick(req["nowMs"])
    elif req["type"] == "step":
        node.step(req["nowMs"], req["message"])
    elif req["type"] == "propose":
        result = node.propose(req["nowMs"], req["command"])
    elif req["type"] == "campaign":
        node.campaign(req["nowMs"])
    answered += 1
    print(json.dumps({"ready": node.ready(), "state": node.state(), "result": result}), flush=True)
