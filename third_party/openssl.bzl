"""@openssl: the OpenSSL that tlsim builds and runs against, one of several.

The system's OpenSSL 3.0 (Debian's libssl-dev) is the default. The others
are built once per machine by `tools/setup --openssl SERIES|all` into a
cache outside the clone (tools/openssl/build says where); this repository
finds them there and offers one cc_library per series:

    @openssl//:openssl      the series chosen by --@tlsim//third_party:openssl
                            (tlsim's .bazelrc: --config=openssl-3.5 and so on)
    @openssl//:openssl_3_5  that series itself, or, when it is not built, a
                            target whose build fails with the command that
                            builds it
    @openssl//:versions.bzl BUILT: the series built on this machine

Each built series links by absolute path, with that path as its run path,
so a binary finds its own libssl and libcrypto wherever it runs.
"""

SERIES = ["1.1.1", "3.0", "3.5", "3.6", "4.0"]

DEFAULT_SERIES = "3.0"

def series_label(series):
    """The target name of SERIES: openssl_3_5 for 3.5."""
    return "openssl_" + series.replace(".", "_")

def _cache_dir(rctx):
    env = rctx.os.environ
    if env.get("TLSIM_OPENSSL_CACHE"):
        return env["TLSIM_OPENSSL_CACHE"]
    base = env.get("XDG_CACHE_HOME") or (env.get("HOME", "/root") + "/.cache")
    return base + "/tlsim/openssl"

_SYSTEM = """
cc_library(
    name = "{name}",
    linkopts = [
        "-lssl",
        "-lcrypto",
    ],
)
"""

_BUILT = """
cc_library(
    name = "{name}",
    hdrs = glob(["{series}/include/openssl/*.h"]),
    includes = ["{series}/include"],
    linkopts = [
        "-L{lib}",
        "-Wl,-rpath,{lib}",
        "-lssl",
        "-lcrypto",
    ],
)
"""

_MISSING = """
not_built(
    name = "{name}",
    series = "{series}",
)
"""

def _openssl_repository_impl(rctx):
    cache = _cache_dir(rctx)
    built = []
    versions = {}
    body = []
    for series in SERIES:
        name = series_label(series)
        if series == DEFAULT_SERIES:
            body.append(_SYSTEM.format(name = name))
            built.append(series)
            continue
        root = rctx.path(cache + "/" + series)
        if not root.get_child("VERSION").exists:
            body.append(_MISSING.format(name = name, series = series))
            continue
        real = root.realpath
        rctx.symlink(real.get_child("include"), series + "/include")
        body.append(_BUILT.format(name = name, series = series, lib = str(real) + "/lib"))
        built.append(series)
        versions[series] = rctx.read(root.get_child("VERSION")).strip()

    settings = "\n".join([
        'config_setting(name = "is_{l}", flag_values = {{"{flag}": "{s}"}})'.format(
            l = series_label(s),
            flag = rctx.attr.flag,
            s = s,
        )
        for s in SERIES
    ])
    select_body = ",\n        ".join([
        '":is_{l}": ":{l}"'.format(l = series_label(s))
        for s in SERIES
    ])
    rctx.file("BUILD", """# Made by third_party/openssl.bzl from the cache at {cache}.
load(":not_built.bzl", "not_built")

package(default_visibility = ["//visibility:public"])

exports_files(["versions.bzl"])

{settings}

alias(
    name = "openssl",
    actual = select({{
        {select_body},
    }}),
)
{body}""".format(
        cache = cache,
        settings = settings,
        select_body = select_body,
        body = "".join(body),
    ))
    rctx.file("versions.bzl", """# The OpenSSL series built on this machine (third_party/openssl.bzl).
BUILT = {built}
DEBIAN_VERSIONS = {versions}
""".format(built = repr(built), versions = repr(versions)))
    rctx.file("not_built.bzl", """
def _impl(ctx):
    fail("OpenSSL {{}} is not built on this machine: run `tools/setup --openssl {{}}`".format(
        ctx.attr.series,
        ctx.attr.series,
    ))

not_built = rule(implementation = _impl, attrs = {{"series": attr.string()}})
""".format())

openssl_repository = repository_rule(
    implementation = _openssl_repository_impl,
    attrs = {"flag": attr.string(mandatory = True)},
    environ = ["TLSIM_OPENSSL_CACHE", "XDG_CACHE_HOME", "HOME"],
    local = True,
)

def _series_flag_impl(ctx):
    if ctx.build_setting_value not in SERIES:
        fail("--{}={}: not an OpenSSL series tlsim knows; one of {}".format(
            ctx.label,
            ctx.build_setting_value,
            ", ".join(SERIES),
        ))
    return []

openssl_series_flag = rule(
    implementation = _series_flag_impl,
    build_setting = config.string(flag = True),
    doc = "The OpenSSL series to build and run against (--config=openssl-SERIES).",
)
