"""What /proc says about one process: CPU time, memory, and its TCP connections."""
import os

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rfind(")") + 2:].split()
    return int(rest[11]) + int(rest[12])  # fields 14 and 15 of proc(5)


def cpu_ns(pid):
    """Time on CPU of the live threads from schedstat (ns): finer than clock ticks."""
    total = 0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def status(pid):
    """VmHWM and VmRSS in kB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0])
    return out


def smaps(pid):
    """Memory by kind (kB) from smaps_rollup: anonymous (the heap: the process's own), mapped
    files (mostly shared libraries' pages, shared with other processes), PSS and USS."""
    v = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                v[k.strip()] = int(rest.split()[0])
    return {"rss_anon_kb": v.get("Anonymous", 0),
            "rss_file_kb": v.get("Rss", 0) - v.get("Anonymous", 0) - v.get("Shared_Hugetlb", 0),
            "pss_kb": v.get("Pss", 0),
            "uss_kb": v.get("Private_Clean", 0) + v.get("Private_Dirty", 0)}


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return s[s.rfind(")") + 2] not in "ZX"
    except OSError:
        return False


def _socket_inodes(pid):
    inodes = set()
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return inodes
    for fd in fds:
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def tcp_connections(pid):
    """The process's established TCP connections: a list of (local_port, remote_port)."""
    inodes = _socket_inodes(pid)
    conns = []
    for table in ("tcp", "tcp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                next(f)
                for line in f:
                    p = line.split()
                    if p[3] == "01" and p[9] in inodes:  # ESTABLISHED
                        conns.append((int(p[1].rsplit(":", 1)[1], 16), int(p[2].rsplit(":", 1)[1], 16)))
        except OSError:
            pass
    return conns
