"""One test target per scenario file, and explorations as sharded tests.

Works from tlsim's own workspace and from another one that has tlsim as a
repository (see README.md, "Using tlsim from another Bazel workspace"):

    load("@tlsim//scenarios:scenario_test.bzl", "scenario_tests", "tlsim_explore_test")

    scenario_tests(srcs = glob(["**/*.tlsim"]))
"""

# Labels of tlsim's own, resolved in tlsim's repository whichever workspace
# loads this file.
_TLSIM = Label("//sim:tlsim")
_RUN_SCENARIO = Label("//scenarios:run_scenario.sh")
_RUN_EXPLORE = Label("//scenarios:run_explore.sh")

def scenario_tests(srcs):
    """Declares a test for each .tlsim file in srcs.

    The target is named after the file's path with '/' and '.' turned into
    '_' and the extension dropped: handshake/tls13_flights.tlsim becomes
    //scenarios:handshake_tls13_flights. Each test runs `tlsim run` on its
    file, compares the trace with the golden one beside it when there is
    one (handshake/tls13_flights.trace), and saves the trace, the JSON
    trace, the pcap capture and the key log under
    TEST_UNDECLARED_OUTPUTS_DIR.

    Args:
      srcs: the scenario files, usually glob(["**/*.tlsim"]).
    """
    for src in srcs:
        name = src[:-len(".tlsim")].replace("/", "_").replace(".", "_")
        native.sh_test(
            name = name,
            size = "small",
            srcs = [_RUN_SCENARIO],
            args = [
                "$(location %s)" % _TLSIM,
                "$(location %s)" % src,
            ],
            data = [
                src,
                _TLSIM,
            ] + native.glob([
                src[:-len(".tlsim")] + ".trace",
                src[:-len(".tlsim")] + ".openssl-*.trace",
            ]),
        )

def tlsim_explore_test(
        name,
        src,
        families = [],
        shard_count = 1,
        max_runs = None,
        workers = None,
        expect_violations = False,
        emit = False,
        size = "medium",
        **kwargs):
    """Declares an exploration of one scenario as a (sharded) test.

    The test runs `tlsim explore` on src with the families asked for. With
    shard_count > 1 Bazel runs that many shards, at once where it has the
    executors (local cores or a remote execution backend); shard K runs
    the schedules whose number is K modulo shard_count, and writes its
    report (explore-shard-K.txt) and coverage (coverage-shard-K.jsonl)
    into its undeclared outputs; `tlsim coverage merge` makes one coverage
    of them. The test fails when a run violates an invariant (tlsim exits
    1), or on bad input (2).

    Args:
      name: the target's name.
      src: the scenario file (it needs programs and a `run` step).
      families: e.g. ["buffers"]; empty: tlsim's default
        (chunks, splits, order).
      shard_count: how many shards Bazel runs.
      max_runs: passed as --max-runs when given (the exploration is
        refused when its families take more runs).
      workers: child processes at once in each shard (tlsim's default 2).
      expect_violations: the exploration is a bug finder: the test passes
        only when an invariant IS violated. Needs shard_count = 1 (a shard
        might not hold the schedule that shows it).
      emit: also write one plain scenario per distinct path into the
        undeclared outputs (emitted-shard-K/).
      size: the test size; an exploration usually wants "medium".
      **kwargs: passed on to sh_test (tags, timeout, ...).
    """
    if expect_violations and shard_count != 1:
        fail("tlsim_explore_test %s: expect_violations needs shard_count = 1" % name)
    args = [
        "$(location %s)" % _TLSIM,
        "$(location %s)" % src,
        "1" if expect_violations else "0",
        "1" if emit else "0",
    ]
    if families:
        args.append("--family=" + ",".join(families))
    if max_runs != None:
        args.append("--max-runs=%d" % max_runs)
    if workers != None:
        args.append("--workers=%d" % workers)
    native.sh_test(
        name = name,
        size = size,
        srcs = [_RUN_EXPLORE],
        args = args,
        data = [
            src,
            _TLSIM,
        ],
        shard_count = shard_count,
        tags = kwargs.pop("tags", []) + ["explore"],
        **kwargs
    )
