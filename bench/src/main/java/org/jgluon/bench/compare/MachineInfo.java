package org.jgluon.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgluon.engine.Machine;

/** One line about the machine a measurement ran on: CPU, cores, load (the machine is often shared). */
public final class MachineInfo {

    private MachineInfo() {}

    public static String describe() {
        String cpu = Machine.cpuModel();
        return (cpu != null ? cpu : "unknown CPU") + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + load() + ", Java "
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
