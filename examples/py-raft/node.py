#!/usr/bin/env python3
"""A Raft node in Python (standard library only) that raftsim drives over its JSON-lines protocol.

    npm run sim -- conform --impl-cmd "python3 examples/py-raft/node.py"

One process is one node. raftsim writes one JSON object per line on stdin and reads exactly one
JSON object per line back on stdout (docs/implementing.md, "The process protocol"). The node never
reads a clock or an unseeded random source: time comes in every request as nowMs, and randomness
from the seed in init. Anything written to stderr is kept by raftsim for error reports.

Figure 2 of the Raft paper, as compact as it goes: no PreVote, no CheckQuorum, no reads without a
log entry, no leader no-op. `--bug accept-stale-leader` switches on a seeded bug: AppendEntries
from a leader of an older term is obeyed instead of refused.
"""

import json
import random
import sys

NOBODY = 0


class Node:
    def __init__(self, init, bug):
        self.id = init["id"]
        self.peers = init["peers"]
        self.config = init["config"]
        self.rng = random.Random(init["randomSeed"])
        self.bug = bug
        durable = init["durable"]
        self.current_term = durable["hardState"]["currentTerm"]
        self.voted_for = durable["hardState"]["votedFor"]
        # log[0] is a sentinel, so that log[i] is the entry at index i.
        self.log = [{"term": 0, "command": {"kind": "noop"}}] + list(durable["log"])
        # The state machine is durable with lastApplied: everything up to it was committed.
        self.commit_index = durable["lastApplied"]
        self.last_applied = durable["lastApplied"]
        self.role = "follower"
        self.leader_id = NOBODY
        self.next_index = {}
        self.match_index = {}
        self.votes = set()
        self.election_deadline = init["nowMs"] + self.election_timeout()
        self.heartbeat_due = None
        self.outbox = []
        self.hard_state_changed = False
        self.log_changed_from = None

    # ---- answers ----

    def last_index(self):
        return len(self.log) - 1

    def state(self):
        wakes = [t for t in (self.election_deadline, self.heartbeat_due) if t is not None]
        return {
            "role": self.role,
            "currentTerm": self.current_term,
            "votedFor": self.voted_for,
            "leaderId": self.leader_id,
            "commitIndex": self.commit_index,
            "lastApplied": self.last_applied,
            "lastIndex": self.last_index(),
            "nextWakeMs": min(wakes) if wakes else None,
        }

    def ready(self):
        ready = {"messages": self.outbox}
        self.outbox = []
        if self.hard_state_changed:
            ready["hardState"] = {"currentTerm": self.current_term, "votedFor": self.voted_for}
            self.hard_state_changed = False
        if self.log_changed_from is not None:
            ready["logWrite"] = {
                "fromIndex": self.log_changed_from,
                "entries": self.log[self.log_changed_from:],
            }
            self.log_changed_from = None
        if self.commit_index > self.last_applied:
            ready["firstApplyIndex"] = self.last_applied + 1
            ready["toApply"] = self.log[self.last_applied + 1 : self.commit_index + 1]
            self.last_applied = self.commit_index
        return ready

    # ---- inputs ----

    def tick(self, now):
        if self.role == "leader":
            if self.heartbeat_due is not None and now >= self.heartbeat_due:
                self.broadcast_append_entries(now)
        elif now >= self.election_deadline:
            self.start_election(now)

    def campaign(self, now):
        if self.role != "leader":
            self.start_election(now)

    def propose(self, now, command):
        if self.role != "leader":
            return {"ok": False, "leaderHint": self.leader_id}
        self.log.append({"term": self.current_term, "command": command})
        self.changed_log(self.last_index())
        self.match_index[self.id] = self.last_index()
        self.advance_commit_index()
        return {"ok": True, "index": self.last_index(), "term": self.current_term}

    def step(self, now, m):
        if m["term"] > self.current_term:
            self.become_follower(m["term"], now)
        kind = m["type"]
        if kind == "RequestVote":
            self.on_request_vote(now, m)
        elif kind == "RequestVoteReply":
            self.on_request_vote_reply(now, m)
        elif kind == "AppendEntries":
            self.on_append_entries(now, m)
        elif kind == "AppendEntriesReply":
            self.on_append_entries_reply(now, m)
        else:
            raise ValueError("unknown message type " + kind)

    # ---- elections ----

    def election_timeout(self):
        lo = self.config["electionTimeoutMsMin"]
        hi = self.config["electionTimeoutMsMax"]
        return self.rng.randint(lo, hi)

    def become_follower(self, term, now):
        if term > self.current_term:
            self.current_term = term
            self.voted_for = NOBODY
            self.hard_state_changed = True
            self.leader_id = NOBODY
        if self.role == "leader":
            self.election_deadline = now + self.election_timeout()
        self.role = "follower"
        self.heartbeat_due = None

    def start_election(self, now):
        self.role = "candidate"
        self.current_term += 1
        self.voted_for = self.id
        self.hard_state_changed = True
        self.leader_id = NOBODY
        self.votes = {self.id}
        self.election_deadline = now + self.election_timeout()
        if len(self.votes) * 2 > len(self.peers):
            self.become_leader(now)
            return
        for peer in self.peers:
            if peer != self.id:
                self.send({
                    "type": "RequestVote", "from": self.id, "to": peer, "term": self.current_term,
                    "lastLogIndex": self.last_index(), "lastLogTerm": self.log[-1]["term"],
                    "preVote": False,
                })

    def on_request_vote(self, now, m):
        granted = False
        if not m["preVote"] and m["term"] == self.current_term:
            free = self.voted_for in (NOBODY, m["from"])
            my_last_term = self.log[-1]["term"]
            up_to_date = m["lastLogTerm"] > my_last_term or (
                m["lastLogTerm"] == my_last_term and m["lastLogIndex"] >= self.last_index())
            if free and up_to_date:
                granted = True
                if self.voted_for != m["from"]:
                    self.voted_for = m["from"]
                    self.hard_state_changed = True
                self.election_deadline = now + self.election_timeout()
        self.send({
            "type": "RequestVoteReply", "from": self.id, "to": m["from"], "term": self.current_term,
            "voteGranted": granted, "preVote": m["preVote"],
        })

    def on_request_vote_reply(self, now, m):
        if self.role != "candidate" or m["term"] != self.current_term or m["preVote"]:
            return
        if m["voteGranted"]:
            self.votes.add(m["from"])
            if len(self.votes) * 2 > len(self.peers):
                self.become_leader(now)

    def become_leader(self, now):
        self.role = "leader"
        self.leader_id = self.id
        self.next_index = {p: self.last_index() + 1 for p in self.peers}
        self.match_index = {p: (self.last_index() if p == self.id else 0) for p in self.peers}
        self.election_deadline = None
        self.broadcast_append_entries(now)

    # ---- replication ----

    def broadcast_append_entries(self, now):
        for peer in self.peers:
            if peer != self.id:
                self.send_append_entries(peer)
        self.heartbeat_due = now + self.config["heartbeatMs"]

    def send_append_entries(self, peer):
        nxt = self.next_index[peer]
        last = min(self.last_index(), nxt - 1 + self.config["maxEntriesPerAppend"])
        self.send({
            "type": "AppendEntries", "from": self.id, "to": peer, "term": self.current_term,
            "prevLogIndex": nxt - 1, "prevLogTerm": self.log[nxt - 1]["term"],
            "entries": self.log[nxt : last + 1], "leaderCommit": self.commit_index, "round": 0,
        })

    def on_append_entries(self, now, m):
        reply = {
            "type": "AppendEntriesReply", "from": self.id, "to": m["from"], "term": self.current_term,
            "success": False, "matchIndex": 0, "conflictTerm": 0, "conflictIndex": 0,
            "round": m["round"], "requestTerm": m["term"],
        }
        stale = m["term"] < self.current_term
        if stale and self.bug != "accept-stale-leader":
            self.send(reply)
            return
        if not stale:
            self.become_follower(m["term"], now)
            self.leader_id = m["from"]
        if self.election_deadline is not None:
            self.election_deadline = now + self.election_timeout()
        prev = m["prevLogIndex"]
        if prev > self.last_index():
            reply["conflictIndex"] = self.last_index() + 1
            self.send(reply)
            return
        prev_term = self.log[prev]["term"]
        if prev_term != m["prevLogTerm"]:
            first = prev
            while first > 1 and self.log[first - 1]["term"] == prev_term:
                first -= 1
            reply["conflictTerm"] = prev_term
            reply["conflictIndex"] = first
            self.send(reply)
            return
        for i, entry in enumerate(m["entries"]):
            index = prev + 1 + i
            if index <= self.last_index() and self.log[index]["term"] == entry["term"]:
                continue
            del self.log[index:]
            self.log.extend(m["entries"][i:])
            self.changed_log(index)
            break
        last_new = prev + len(m["entries"])
        if m["leaderCommit"] > self.commit_index:
            self.commit_index = max(self.commit_index, min(m["leaderCommit"], last_new))
        reply["success"] = True
        reply["matchIndex"] = last_new
        self.send(reply)

    def on_append_entries_reply(self, now, m):
        if self.role != "leader" or m["term"] != self.current_term or m["requestTerm"] != self.current_term:
            return
        peer = m["from"]
        # Only a reply that teaches something sends more, so duplicated replies cannot multiply requests.
        if m["success"]:
            if m["matchIndex"] <= self.match_index[peer]:
                return
            self.match_index[peer] = m["matchIndex"]
            self.next_index[peer] = m["matchIndex"] + 1
            self.advance_commit_index()
            if self.next_index[peer] <= self.last_index():
                self.send_append_entries(peer)
            return
        nxt = m["conflictIndex"]
        if m["conflictTerm"] != 0:
            for i in range(self.last_index(), 0, -1):
                if self.log[i]["term"] == m["conflictTerm"]:
                    nxt = i + 1
                    break
        nxt = max(1, min(nxt, self.last_index() + 1), self.match_index[peer] + 1)
        if nxt >= self.next_index[peer]:
            return
        self.next_index[peer] = nxt
        self.send_append_entries(peer)

    def advance_commit_index(self):
        matches = sorted((self.match_index[p] for p in self.peers), reverse=True)
        n = matches[len(self.peers) // 2]
        if n > self.commit_index and self.log[n]["term"] == self.current_term:
            self.commit_index = n

    # ---- plumbing ----

    def send(self, m):
        self.outbox.append(m)

    def changed_log(self, index):
        if self.log_changed_from is None or index < self.log_changed_from:
            self.log_changed_from = index


def main():
    bug = None
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--bug" and args[1] == "accept-stale-leader":
        bug = args[1]
    elif args:
        sys.stderr.write("usage: node.py [--bug accept-stale-leader]\n")
        sys.exit(2)
    node = None
    for line in sys.stdin:
        req = json.loads(line)
        kind = req["type"]
        if kind == "hello":
            answer = {"name": "py-raft" + (" (bug: " + bug + ")" if bug else ""), "protocol": 1,
                      "capabilities": {"campaign": True}}
        else:
            result = None
            if kind == "init":
                node = Node(req, bug)
            elif kind == "tick":
                node.tick(req["nowMs"])
            elif kind == "step":
                node.step(req["nowMs"], req["message"])
            elif kind == "propose":
                result = node.propose(req["nowMs"], req["command"])
            elif kind == "campaign":
                node.campaign(req["nowMs"])
            else:
                answer = {"error": "unsupported request " + kind}
                sys.stdout.write(json.dumps(answer) + "\n")
                sys.stdout.flush()
                continue
            answer = {"ready": node.ready(), "state": node.state(), "result": result}
        sys.stdout.write(json.dumps(answer, separators=(",", ":")) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
