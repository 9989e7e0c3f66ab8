"""The external repositories tlsim builds with, for its own WORKSPACE and for
another workspace that uses tlsim through local_repository.

Everything comes from Debian packages on the machine (tools/setup installs
them): nothing is downloaded. In another workspace:

    local_repository(name = "tlsim", path = "../tlsim")
    load("@tlsim//third_party:repositories.bzl", "tlsim_dependencies")
    tlsim_dependencies(tlsim_path = "../tlsim")

A repository the workspace already declared (its own @openssl, say) is left
as it is.
"""

load("//third_party:openssl.bzl", "openssl_repository")

# The libraries found under /usr, each with its BUILD file in this folder.
_SYSTEM_LIBRARIES = [
    "catch2",
    "fmt",
    "cli11",
    "nlohmann_json",
    "libpcap",
    "dtl",
]

# Bazel 4.2.3 loads rules_cc and rules_java from its own tools and would try
# to download them; the shims forward to the native rules. Every test action
# depends on the coverage tools; offline they are stubs.
_SHIMS = [
    "rules_cc",
    "rules_java",
    "remote_coverage_tools",
]

def tlsim_dependencies(tlsim_path = "."):
    """Declares the repositories tlsim's targets depend on.

    Args:
      tlsim_path: where tlsim's checkout is, relative to the calling
        workspace's root ("." in tlsim's own WORKSPACE); the offline shims
        are local repositories inside it.
    """
    # The system's OpenSSL and the versions built into the cache
    # (third_party/openssl.bzl).
    if not native.existing_rule("openssl"):
        openssl_repository(
            name = "openssl",
            flag = "@tlsim//third_party:openssl",
        )
    for name in _SYSTEM_LIBRARIES:
        if native.existing_rule(name):
            continue
        native.new_local_repository(
            name = name,
            build_file = str(Label("//third_party:%s.BUILD" % name)),
            path = "/usr",
        )
    for name in _SHIMS:
        if native.existing_rule(name):
            continue
        path = "third_party/" + name
        if tlsim_path not in ("", "."):
            path = tlsim_path.rstrip("/") + "/" + path
        native.local_repository(name = name, path = path)
