"""Where courses grade (issue 21), as the tests emulate it: the command
prefix that starts a harness program there, and what the harness must then
do. LAUNCHER in a prefix stands for tests/harness/container/launcher.c
(mstats-test-container), the seccomp launcher that refuses namespaces and
mounts as Docker's default profile does."""

import os
import shutil
from dataclasses import dataclass

# Docker's default capability set (moby's defaults), for setpriv.
DOCKER_CAPS = ("chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid,setfcap,setpcap,"
               "net_bind_service,sys_chroot,kill,audit_write")
DOCKER = ["setpriv", f"--bounding-set=-all,+{DOCKER_CAPS.replace(',', ',+')}", "--inh-caps=-all"]
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]


@dataclass
class Environment:
    """The prefix of every harness command (LAUNCHER: the seccomp launcher),
    the sandbox mode the harness must choose there, whether its user is not
    root (the build must then be copied where that user can read it), and
    the honest allocators the matrix runs there (empty: every one)."""
    prefix: list
    sandbox: str
    nonroot: bool = False
    allocators: tuple = ("kit", "tutorial", "static-tls", "locked")

    def command(self, launcher, argv):
        return [launcher if word == "LAUNCHER" else word for word in self.prefix] + list(argv)


ENVIRONMENTS = {
    "host": Environment([], "bwrap", allocators=()),
    # Gradescope, GitLab's Docker executor: Docker's seccomp profile and
    # capabilities, read-only cgroups.
    "docker": Environment(["LAUNCHER", "--ro-cgroups", "--", *DOCKER], "container"),
    # PrairieLearn: the same, and no network.
    "prairielearn": Environment(["LAUNCHER", "--ro-cgroups", "--no-network", "--", *DOCKER],
                                "container"),
    # A course's own account, with and without user namespaces.
    "nonroot": Environment(NOBODY, "bwrap", nonroot=True),
    "nonroot-no-userns": Environment(["LAUNCHER", "--", *NOBODY], "container", nonroot=True),
}


def copy_build(bin_dir, destination):
    """The build's bin/, lib/ (the shim, mstats-run-init, the allocators) and
    share/ (mstats-init's kit) copied under `destination`, where a non-root
    user can read them wherever the build is; returns the copy's bin/."""
    for name in ("bin", "lib", "share"):
        shutil.copytree(os.path.join(bin_dir, "..", name), os.path.join(destination, name))
    return os.path.join(destination, "bin")
