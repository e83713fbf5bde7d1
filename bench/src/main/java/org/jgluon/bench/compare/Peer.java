package org.jgluon.bench.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jgluon.bench.step.AlexNets;

/**
 * A peer framework that runs the same step in a child process: PyTorch through
 * {@code bench/compare/pytorch_alexnet.py}, MXNet 1.9.1 through DJL (the {@code bench-mxnet}
 * module, built separately). Each variant is one configuration of the peer (PyTorch NCHW and
 * channels_last); the table reports each and the ratio against the best.
 */
record Peer(String name, List<String> variants, String absentReason, Launcher launcher) {

    interface Launcher {
        List<String> command(String variant, AlexNets net, int res, String mode, CompareOptions o);
    }

    /** The label of a variant's measurements ("pytorch", "pytorch channels_last"). */
    String label(String variant) {
        return variant.isEmpty() ? name : name + " " + variant;
    }

    static Peer pytorch(Path home, CompareOptions o) {
        Path script = home.resolve("bench/compare/pytorch_alexnet.py");
        List<String> variants = switch (o.channelsLast()) {
            case "on" -> List.of("channels_last");
            case "off" -> List.of("");
            default -> List.of("", "channels_last");
        };
        String absent = !Files.isRegularFile(script) ? "no " + script
                : PeerProcess.check(List.of(o.python(), "-c", "import torch"), home);
        return new Peer("pytorch", variants, absent, (variant, net, res, mode, opts) -> {
            List<String> cmd = new ArrayList<>(List.of(opts.python(), script.toString()));
            cmd.addAll(common(net, res, mode, opts));
            if (variant.equals("channels_last")) cmd.add("--channels-last");
            return cmd;
        });
    }

    /** MXNet 1.9.1 (oneDNN) through DJL: present when {@code ./build -o -q -f bench-mxnet/pom.xml package} has run. */
    static Peer mxnet(Path home) {
        Path module = home.resolve("bench-mxnet");
        Path classes = module.resolve("target/classes"), lib = module.resolve("target/lib");
        String absent = Files.isDirectory(classes) && Files.isDirectory(lib) ? null
                : "not built (build it with: ./build -q -f bench-mxnet/pom.xml package)";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new Peer("mxnet", List.of(""), absent, (variant, net, res, mode, opts) -> {
            List<String> cmd = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED", "-Xmx8g", "-cp", classes + ":" + lib + "/*",
                    "org.jgluon.bench.mxnet.MxnetAlexNet"));
            cmd.addAll(common(net, res, mode, opts));
            return cmd;
        });
    }

    private static List<String> common(AlexNets net, int res, String mode, CompareOptions o) {
        return List.of("--net", net.id, "--res", Integer.toString(res), "--mode", mode, "--batch", Integer.toString(o.batch()),
                "--threads", Integer.toString(o.threads()), "--warmup", Integer.toString(o.warmup()),
                "--min-steps", Integer.toString(o.minSteps()), "--seconds", Double.toString(o.seconds()));
    }
}
