package org.jgluon.repl;

import org.graalvm.polyglot.Engine;
import org.jgluon.engine.Parallel;

/** {@code jgluon info}: what this installation is and what it runs on. */
final class Info {

    private Info() {}

    static String text() {
        StringBuilder b = new StringBuilder();
        b.append("jgluon ").append(Version.VERSION).append('\n');
        b.append("java: ").append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version())
                .append(" (").append(System.getProperty("java.vendor")).append(")\n");
        b.append("cores: ").append(Runtime.getRuntime().availableProcessors())
                .append(", threads: ").append(Parallel.threads()).append('\n');
        b.append("heap: ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB max\n");
        b.append("graaljs: ").append(graalVersion()).append(" (interpreter)\n");
        b.append(simd()).append('\n');
        String data = System.getProperty("jgluon.data");
        b.append("data: ").append(data != null ? data : "default search (~/.jgluon/datasets, /usr/share/datasets)").append('\n');
        return b.toString();
    }

    /** The polyglot jar's version (its manifest's "polyglot" section); an engine says "Development Build". */
    private static String graalVersion() {
        try {
            var location = Engine.class.getProtectionDomain().getCodeSource().getLocation();
            try (var jar = new java.util.jar.JarFile(java.nio.file.Path.of(location.toURI()).toFile())) {
                var manifest = jar.getManifest();
                for (var attrs : new java.util.jar.Attributes[] {manifest.getMainAttributes(), manifest.getAttributes("polyglot")}) {
                    if (attrs != null && attrs.getValue("Implementation-Version") != null) {
                        return attrs.getValue("Implementation-Version");
                    }
                }
            }
        } catch (Exception e) {
            // not from a jar: no version to show
        }
        return "unknown";
    }

    /** {@code SimdCheck.report()} of the engine, when the build has it. */
    private static String simd() {
        try {
            Object r = Class.forName("org.jgluon.engine.SimdCheck").getMethod("report").invoke(null);
            String text = String.valueOf(r).strip();
            return text.regionMatches(true, 0, "SIMD", 0, 4) ? text : "simd: " + text;
        } catch (ReflectiveOperationException | LinkageError e) {
            return "simd: (no SIMD check in this build)";
        }
    }
}
