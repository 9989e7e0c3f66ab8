"""Targets built against the other OpenSSL series, next to the default ones.

Every target builds against the system's OpenSSL 3.0 unless it is reached
through the transition here, which sets --@tlsim//third_party:openssl to one
series. Only the series built on this machine (tools/setup --openssl SERIES)
get targets, so a machine that built none has exactly the default targets.

    load("@tlsim//third_party:openssl_versions.bzl", "OTHER_SERIES", "openssl_test")

    openssl_test(name = "foo_test_openssl_3_5", test = ":foo_test", series = "3.5")
"""

load("@openssl//:versions.bzl", "BUILT")
load("//third_party:openssl.bzl", "DEFAULT_SERIES")

_FLAG = str(Label("//third_party:openssl"))

# The series built on this machine other than the default, oldest first.
OTHER_SERIES = [s for s in BUILT if s != DEFAULT_SERIES]

# The series whose tests all run (openssl_tests): every other series but
# 1.1.1, on which every shipped scenario runs but not yet every unit test:
# several assume 3.0's API or results.
TESTED_SERIES = [s for s in OTHER_SERIES if s != "1.1.1"]

# The tests that do pass on 1.1.1 already, run there too (openssl_tests_for_package).
# Not yet: callbacks_test, endpoint_config_test, pcap_trace_test and
# runner_test assume 3.0's API or results (retry_verify,
# X509_VERIFY_PARAM_get0_host, EVP_PKEY_Q_keygen); explore_test finds the
# played-back and the real runs' reports differ on 1.1.1.
PASSING_ON_1_1_1 = [
    "catalogue_test",
    "determinism_test",
    "openssl_matrix_test",
    "proto_names_test",
    "shrink_test",
    "application_example_test",
    "cli_test",
    "clock_test",
    "contexts_parser_test",
    "explore_core_test",
    "json_trace_test",
    "keys_runner_test",
    "outcomes_test",
    "parser_clock_test",
    "parser_fuzz_regression_test",
    "parser_robustness_test",
    "pki_keys_test",
    "pki_test",
    "program_parser_test",
    "program_test",
    "scenario_parser_keys_test",
    "scenario_parser_test",
    "scenario_roundtrip_test",
    "seeded_random_test",
    "session_test",
    "tape_test",
    "trace_buffer_test",
    "versions_cli_test",
    "versions_parser_test",
    "versions_run_test",
    "wire_fault_test",
    "wire_test",
]

def series_suffix(series):
    """'_openssl_3_5' for 3.5: what a target's name gets for that series."""
    return "_openssl_" + series.replace(".", "_")

def _series_transition_impl(settings, attr):
    return {_FLAG: attr.series}

_series_transition = transition(
    implementation = _series_transition_impl,
    inputs = [],
    outputs = [_FLAG],
)

def _forward(ctx, target):
    """Re-exports TARGET's executable under this rule's name, with its runfiles."""
    info = target[DefaultInfo]
    real = info.files_to_run.executable
    exe = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = exe, target_file = real, is_executable = True)
    runfiles = ctx.runfiles(files = [exe, real]).merge(info.default_runfiles)
    return [DefaultInfo(executable = exe, files = depset([exe]), runfiles = runfiles)]

def _openssl_binary_impl(ctx):
    # Not _forward: BINARY's own runfiles hold it at its short path (sim/tlsim
    # for tlsim_openssl_3_5), the same path as the default build's BINARY, so
    # a target with both in its runfiles (every test with //sim:tlsim as data)
    # got whichever came last. This target's runfiles hold its own name, and
    # BINARY under a path of this target's.
    real = ctx.attr.binary[0][DefaultInfo].files_to_run.executable
    exe = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = exe, target_file = real, is_executable = True)
    hidden = "%s/_%s/%s" % (ctx.label.package, ctx.label.name, real.basename)
    runfiles = ctx.runfiles(files = [exe], symlinks = {hidden: real})
    return [DefaultInfo(executable = exe, files = depset([exe]), runfiles = runfiles)]

def _shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"

def _openssl_test_impl(ctx):
    if not ctx.attr.test_args:
        return _forward(ctx, ctx.attr.test[0])

    # TEST's own arguments ($(location X) of its data, built for SERIES as
    # well) are not passed by Bazel to this target's executable: a launcher
    # passes them, as paths from the runfiles root where tests start.
    info = ctx.attr.test[0][DefaultInfo]
    real = info.files_to_run.executable
    args = [
        ctx.expand_location(
            a.replace("$(location ", "$(rootpath ").replace("$(locations ", "$(rootpaths "),
            targets = ctx.attr.data,
        )
        for a in ctx.attr.test_args
    ]
    exe = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.write(
        output = exe,
        content = "#!/bin/bash\nexec %s %s \"$@\"\n" % (
            _shell_quote(real.short_path),
            " ".join([_shell_quote(a) for a in args]),
        ),
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [exe, real]).merge(info.default_runfiles)
    for d in ctx.attr.data:
        runfiles = runfiles.merge(d[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = exe, runfiles = runfiles)]

_ATTRS = {
    "series": attr.string(mandatory = True),
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}

openssl_binary = rule(
    implementation = _openssl_binary_impl,
    executable = True,
    attrs = dict(_ATTRS, binary = attr.label(
        mandatory = True,
        executable = True,
        cfg = _series_transition,
    )),
    doc = "BINARY built against SERIES, under this target's name.",
)

openssl_test = rule(
    implementation = _openssl_test_impl,
    test = True,
    attrs = dict(
        _ATTRS,
        test = attr.label(
            mandatory = True,
            executable = True,
            cfg = _series_transition,
        ),
        # TEST's args and the data they name ($(location X)).
        test_args = attr.string_list(),
        data = attr.label_list(allow_files = True, cfg = _series_transition),
    ),
    doc = "TEST built and run against SERIES, under this target's name.",
)

def openssl_tests(name, series = TESTED_SERIES, **kwargs):
    """NAME (already declared) again for every other built series tested.

    Declares NAME_openssl_3_5 and so on; kwargs (size, shard_count, tags,
    timeout, flaky) are those of NAME's own test. Each is tagged
    "openssl_version" and "openssl-SERIES", so a run can leave them out
    (--test_tag_filters=-openssl_version) or pick one series.
    """
    tags = kwargs.pop("tags", [])
    for one in series:
        openssl_test(
            name = name + series_suffix(one),
            test = ":" + name,
            series = one,
            tags = tags + ["openssl_version", "openssl-" + one],
            **kwargs
        )

def openssl_tests_for_package(all_pass_on_1_1_1 = False):
    """openssl_tests for every test the package declared above this call.

    Call it last in a BUILD file: each cc_test and sh_test there runs again
    against every other OpenSSL series built on this machine (on 1.1.1 only
    those in PASSING_ON_1_1_1, or all with all_pass_on_1_1_1).
    """
    for name, rule in native.existing_rules().items():
        if rule["kind"] not in ("cc_test", "sh_test"):
            continue
        kwargs = {}
        for key in ("size", "timeout"):
            if rule.get(key):
                kwargs[key] = rule[key]
        if rule.get("flaky"):
            kwargs["flaky"] = True
        if rule.get("shard_count", -1) > 0:
            kwargs["shard_count"] = rule["shard_count"]
        series = list(TESTED_SERIES)
        if "1.1.1" in OTHER_SERIES and (all_pass_on_1_1_1 or name in PASSING_ON_1_1_1):
            series = ["1.1.1"] + series
        if rule.get("args"):
            kwargs["test_args"] = list(rule["args"])
            kwargs["data"] = list(rule.get("data", []))
        openssl_tests(name = name, series = series, tags = list(rule.get("tags", [])), **kwargs)
