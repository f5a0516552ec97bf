"""What redis-py (4.x, Debian's python3-redis) does against a server.

    /usr/bin/python3 testdata/redis_py_check.py HOST:PORT

Runs the commands a program using redis-py most often sends, through
redis-py's own methods (incr sends INCRBY, pipeline() wraps its commands
in MULTI/EXEC, pubsub() subscribes on a second connection), and prints
each result, one line each. scripts_redis_py_test.go runs it against
redis-server and against scripts/fake_redis.lua and wants the same lines
from both. Times are printed only as far as both servers must agree.
Keys start with "py:"; the server is expected to hold none of them.
"""
import sys
import time

import redis

host, port = sys.argv[1].rsplit(":", 1)
r = redis.Redis(host=host, port=int(port), socket_timeout=10)
other = redis.Redis(host=host, port=int(port), socket_timeout=10)


def show(label, value):
    print(label + ":", repr(value), flush=True)


def error(label, fn):
    """Prints the error fn raises (its class and message), or its result."""
    try:
        show(label, fn())
    except redis.RedisError as e:
        show(label, type(e).__name__ + ": " + str(e))


show("ping", r.ping())

# Strings and counters (incr and decr send INCRBY and DECRBY).
show("set", r.set("py:s", "v"))
show("get", r.get("py:s"))
show("get missing", r.get("py:none"))
show("incr", r.incr("py:n"))
show("incr 41", r.incr("py:n", 41))
show("decr", r.decr("py:n"))
show("decr 10", r.decr("py:n", 10))
show("incr past 2^53", (r.set("py:big", 2**53 + 1), r.incr("py:big"))[1])
error("incr of text", lambda: r.incr("py:s"))
error("incr overflow", lambda: r.incr("py:n", 2**63 - 1))

# SET's options.
show("set nx existing", r.set("py:s", "w", nx=True))
show("set nx new", r.set("py:nx", "w", nx=True))
show("set xx missing", r.set("py:xx", "w", xx=True))
show("set xx existing", r.set("py:s", "w2", xx=True))
show("set get", r.set("py:s", "w3", get=True))
show("set nx get", r.set("py:s", "w4", nx=True, get=True))
show("set ex", r.set("py:ex", "v", ex=100))
show("ttl", r.ttl("py:ex"))
show("pttl within 100 s", 99000 < r.pttl("py:ex") <= 100000)
show("set keepttl", r.set("py:ex", "v2", keepttl=True))
show("ttl kept", r.ttl("py:ex"))
show("set drops ttl", (r.set("py:ex", "v3"), r.ttl("py:ex")))
show("set px", r.set("py:px", "v", px=100))
show("set exat", r.set("py:exat", "v", exat=int(time.time()) + 1000))
show("ttl exat within 1000 s", 990 <= r.ttl("py:exat") <= 1000)
show("set pxat past", r.set("py:pxat", "v", pxat=1000))
show("get pxat past", r.get("py:pxat"))
error("set ex 0", lambda: r.execute_command("SET", "py:e", "v", "EX", "0"))
error("set nx xx", lambda: r.execute_command("SET", "py:e", "v", "NX", "XX"))
time.sleep(0.3)
show("get expired", r.get("py:px"))

# Several keys.
show("exists", r.exists("py:s", "py:nx", "py:s", "py:px", "py:none"))
show("mset", r.mset({"py:a": "1", "py:b": "2"}))
show("mget", r.mget(["py:a", "py:b", "py:none"]))
show("delete", r.delete("py:a", "py:none"))

# Expiry.
show("expire", r.expire("py:b", 100))
show("ttl", r.ttl("py:b"))
show("expire nx", r.expire("py:b", 50, nx=True))
show("expire gt", r.expire("py:b", 200, gt=True))
show("ttl after gt", r.ttl("py:b"))
show("expire lt", r.expire("py:b", 300, lt=True))
show("persist", r.persist("py:b"))
show("ttl no expiry", r.ttl("py:b"))
show("ttl missing", r.ttl("py:none"))
show("expire missing", r.expire("py:none", 10))
show("pexpire", r.pexpire("py:b", 100))
time.sleep(0.3)
show("exists expired", r.exists("py:b"))
show("expire past", (r.set("py:c", "v"), r.expire("py:c", -1), r.exists("py:c")))

# pipeline(): MULTI ... EXEC by default.
p = r.pipeline()
p.set("py:p", "1").incr("py:p").get("py:p").mget("py:p", "py:none")
show("pipeline", p.execute())
p = r.pipeline()
p.set("py:q", "x").incr("py:q").get("py:q")
show("pipeline with an error", [repr(v) if isinstance(v, Exception) else v for v in p.execute(raise_on_error=False)])
p = r.pipeline()
p.set("py:q", "y").execute_command("NOSUCH", "arg")
error("pipeline with an unknown command", p.execute)
show("not set by the aborted one", r.get("py:q"))
p = r.pipeline(transaction=False)
p.incr("py:t").incr("py:t")
show("pipeline without MULTI", p.execute())

# WATCH: another client's write makes EXEC fail.
with r.pipeline() as p:
    p.watch("py:w")
    other.set("py:w", "theirs")
    p.multi()
    p.set("py:w", "mine")
    error("watched and changed", p.execute)
show("after the failed EXEC", r.get("py:w"))
with r.pipeline() as p:
    p.watch("py:w")
    p.multi()
    p.set("py:w", "mine")
    show("watched, unchanged", p.execute())
show("after EXEC", r.get("py:w"))

# INFO, parsed by redis-py.
info = r.info()
show("info version major", info["redis_version"].split(".")[0])
show("info has", sorted(k for k in ("redis_version", "redis_mode", "connected_clients") if k in info))
show("info server only", "connected_clients" in r.info("server"))
show("info keyspace db0", "db0" in r.info("keyspace"))

# Pub/sub: subscribe on one connection, publish on another.
ps = r.pubsub()
ps.subscribe("py:ch", "py:ch2")
show("subscribed", ps.get_message(timeout=5))
show("subscribed 2", ps.get_message(timeout=5))
show("publish", r.publish("py:ch", "hello"))
show("message", ps.get_message(timeout=5))
show("publish binary", r.publish("py:ch2", b"a\r\nb\x00"))
show("message binary", ps.get_message(timeout=5))
show("publish to nobody", r.publish("py:nobody", "x"))
ps.unsubscribe("py:ch")
show("unsubscribed", ps.get_message(timeout=5))
show("publish after", r.publish("py:ch", "gone"))
show("nothing more", ps.get_message(timeout=0.2))
ps.close()

# Errors as Redis words them.
error("hello abc", lambda: r.execute_command("HELLO", "abc"))
error("hello 4", lambda: r.execute_command("HELLO", "4"))
error("unknown", lambda: r.execute_command("NOSUCH", "a", "b"))
error("arity", lambda: r.execute_command("GET"))
