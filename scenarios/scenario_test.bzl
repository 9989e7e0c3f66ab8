"""One test target per scenario file.

Works from tlsim's own workspace and from another one that has tlsim as a
repository (see README.md, "Using tlsim from another Bazel workspace"):

    load("@tlsim//scenarios:scenario_test.bzl", "scenario_tests")

    scenario_tests(srcs = glob(["**/*.tlsim"]))
"""

# Labels of tlsim's own, resolved in tlsim's repository whichever workspace
# loads this file.
_TLSIM = Label("//sim:tlsim")
_RUN_SCENARIO = Label("//scenarios:run_scenario.sh")

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
            ] + native.glob([src[:-len(".tlsim")] + ".trace"]),
        )
