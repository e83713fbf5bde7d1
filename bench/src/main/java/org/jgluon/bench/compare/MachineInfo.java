package org.jgluon.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line about the machine a measurement ran on: CPU, cores, load (the machine is often shared). */
public final class MachineInfo {

    private MachineInfo() {}

    public static String describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the CPU name is only informative
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + load() + ", Java "
                + Runtime.version();
    }

    /** The 1-minute load average ("load 3.2"), or "load unknown". */
    public static String load() {
        try {
            return "load " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "load unknown";
        }
    }
}
