package org.jgluon.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the machine that reports and benchmarks record beside their figures. */
public final class Machine {

    private Machine() {}

    /** The CPU's model name from {@code /proc/cpuinfo}, or {@code null} where that is not available. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the CPU name is only informative
        }
        return null;
    }
}
