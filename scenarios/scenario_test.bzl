"""One test target per scenario file."""

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
            srcs = ["//scenarios:run_scenario.sh"],
            args = [
                "$(location //sim:tlsim)",
                "$(location %s)" % src,
            ],
            data = [
                src,
                "//sim:tlsim",
            ] + native.glob([src[:-len(".tlsim")] + ".trace"]),
        )
