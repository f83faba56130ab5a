#!/usr/bin/python3
"""The sandbox's seccomp policy, compiled to BPF by libseccomp (python3-seccomp).

Regenerate the committed filters after changing the policy:

    /usr/bin/python3 src/sandbox/local/seccomp/generate-filters.py

which writes <arch>.bpf beside this file for every architecture below. `--out DIR` writes them
elsewhere (the test compares such a regeneration with the committed files). python3-seccomp is a
Debian package (`apt-get install -y python3-seccomp`; `node src/cli/ensure-system.mjs` installs it).

The policy is a blocklist on top of what the sandbox already lacks (no capabilities, an unprivileged
uid, no new user namespaces): it removes the kernel surface an unprivileged process needs none of
in a coding sandbox and that privilege escalations keep going through. Modelled on flatpak's and
Docker's default profiles.
"""

import argparse
import errno
import os
import sys

import seccomp

# Refused with EPERM, whatever the arguments.
REFUSED = [
    # Mounts and the filesystem view: remounting a read-only bind, new mount API, changing root.
    "mount", "umount", "umount2", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    # Namespaces: no new ones, no joining others.
    "unshare", "setns",
    # Reading or steering other processes.
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "process_madvise", "kcmp",
    # The kernel keyring.
    "keyctl", "add_key", "request_key",
    # Kernel programs, performance counters, page-fault handlers (exploit staples).
    "bpf", "perf_event_open", "userfaultfd",
    # Replacing or stopping the kernel, loading modules.
    "kexec_load", "kexec_file_load", "reboot",
    "init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms",
    # File handles bypass path permissions (the "shocker" container escape).
    "open_by_handle_at", "name_to_handle_at",
    # System administration.
    "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "vhangup",
    "settimeofday", "clock_settime", "stime",
    # Obsolete or hardware-level calls.
    "uselib", "nfsservctl", "lookup_dcookie", "iopl", "ioperm", "vm86", "vm86old",
]

# Refused with ENOSYS, so callers fall back: glibc retries clone3 as clone (whose flags a filter can
# read: clone3 passes them in memory), libuv runs without io_uring.
UNAVAILABLE = ["clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"]

# clone() may not create namespaces (arg 0 holds the flags on x86_64 and aarch64).
CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}

# personality() only with PER_LINUX, as in flatpak: no ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC etc.
PER_LINUX = 0

# Terminal input injection. The command is a 32-bit int: compare only the low half, or a caller
# could set high bits to slip past the rule (flatpak's CVE-2019-10063).
REFUSED_IOCTLS = {"TIOCSTI": 0x5412, "TIOCLINUX": 0x541C}

ARCHITECTURES = {"x86_64": seccomp.Arch.X86_64, "aarch64": seccomp.Arch.AARCH64}


def build_filter(arch):
    # Other ABIs (i386 system calls through int 0x80, x32) are not in the filter: they kill the process.
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.remove_arch(seccomp.Arch.NATIVE)
    rules.add_arch(arch)
    rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    # A binary tree instead of a linear list: every allowed call walks the filter.
    rules.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
    for name in REFUSED:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    for name in UNAVAILABLE:
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
    for flag in CLONE_NAMESPACE_FLAGS.values():
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "personality", seccomp.Arg(0, seccomp.NE, PER_LINUX))
    for command in REFUSED_IOCTLS.values():
        rules.add_rule(
            seccomp.ERRNO(errno.EPERM), "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, command)
        )
    return rules


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    options = parser.parse_args()
    os.makedirs(options.out, exist_ok=True)
    for name, arch in ARCHITECTURES.items():
        path = os.path.join(options.out, f"{name}.bpf")
        with open(path, "wb") as output:
            build_filter(arch).export_bpf(output)
        print(f"{path}: {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
