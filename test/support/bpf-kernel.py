#!/usr/bin/env python3
# Loads eBPF programs into the running Linux kernel with the bpf(2) system call and runs them.
# Input (stdin, JSON): {"programs": [{"insns": "<hex of 8-byte slots>", "packets": ["<hex>", ...]}]}
# or {"probe": true}. Output (stdout, JSON): for a probe {"ok": bool, "reason": str}; otherwise
# {"ok": true, "results": [{"socket": LOAD, "sched": LOAD, "retvals": [int, ...] | null}]} where
# LOAD is {"ok": bool, "error": str, "log": str}. Each program is loaded as BPF_PROG_TYPE_SOCKET_FILTER
# and as BPF_PROG_TYPE_SCHED_CLS; the classifier is then run with BPF_PROG_TEST_RUN on each packet
# (the kernel builds an Ethernet skb from the bytes, so LD_ABS offsets count from the link-layer header).
import ctypes
import json
import os
import platform
import struct
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
BPF_PROG_LOAD = 5
BPF_PROG_TEST_RUN = 10
PROG_TYPE_SOCKET_FILTER = 1
PROG_TYPE_SCHED_CLS = 3
ATTR_SIZE = 160
LOG_SIZE = 1 << 20

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr.ljust(ATTR_SIZE, b"\0"), ATTR_SIZE)
    ret = libc.syscall(SYS_BPF, cmd, buf, ATTR_SIZE)
    return ret, ctypes.get_errno(), buf


def load(prog_type, insns, with_log):
    code = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(LOG_SIZE if with_log else 1)
    attr = struct.pack(
        "<IIQQIIQ", prog_type, len(insns) // 8, ctypes.addressof(code), ctypes.addressof(lic),
        1 if with_log else 0, LOG_SIZE if with_log else 0, ctypes.addressof(log) if with_log else 0,
    )
    fd, err, _ = bpf(BPF_PROG_LOAD, attr)
    if fd >= 0:
        return fd, {"ok": True}
    if not with_log:
        return load(prog_type, insns, True)  # load again to get the verifier's explanation
    text = log.value.decode("utf-8", "replace")
    return -1, {"ok": False, "error": os.strerror(err), "log": "\n".join(text.strip().split("\n")[-6:])}


def test_run(fd, packet):
    data = ctypes.create_string_buffer(packet, len(packet))
    attr = struct.pack("<IIIIQQII", fd, 0, len(packet), 0, ctypes.addressof(data), 0, 1, 0)
    ret, err, buf = bpf(BPF_PROG_TEST_RUN, attr)
    if ret < 0:
        raise OSError(err, "BPF_PROG_TEST_RUN: " + os.strerror(err))
    return struct.unpack_from("<I", buf.raw, 4)[0]


def probe():
    if platform.system() != "Linux":
        return {"ok": False, "reason": "not Linux (%s)" % platform.system()}
    if SYS_BPF is None:
        return {"ok": False, "reason": "unknown bpf() syscall number on %s" % platform.machine()}
    # mov r0, 0; exit
    fd, res = load(PROG_TYPE_SOCKET_FILTER, bytes.fromhex("b7000000000000009500000000000000"), False)
    if fd < 0:
        hint = " (not root)" if os.geteuid() != 0 else ""
        return {"ok": False, "reason": "bpf(BPF_PROG_LOAD) fails: %s%s" % (res["error"], hint)}
    try:
        test_run(fd, bytes(64))
    except OSError as e:
        return {"ok": False, "reason": "bpf(BPF_PROG_TEST_RUN) fails: %s" % e.strerror}
    finally:
        os.close(fd)
    return {"ok": True, "reason": ""}


def main():
    request = json.load(sys.stdin)
    if request.get("probe"):
        json.dump(probe(), sys.stdout)
        return
    results = []
    for prog in request["programs"]:
        insns = bytes.fromhex(prog["insns"])
        sfd, socket = load(PROG_TYPE_SOCKET_FILTER, insns, False)
        if sfd >= 0:
            os.close(sfd)
        cfd, sched = load(PROG_TYPE_SCHED_CLS, insns, False)
        retvals = None
        if cfd >= 0:
            retvals = []
            for p in prog["packets"]:
                try:
                    retvals.append(test_run(cfd, bytes.fromhex(p)))
                except OSError as e:
                    retvals.append(e.strerror)
            os.close(cfd)
        results.append({"socket": socket, "sched": sched, "retvals": retvals})
    json.dump({"ok": True, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
