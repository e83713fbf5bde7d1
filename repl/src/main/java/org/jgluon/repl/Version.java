package org.jgluon.repl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** jgluon's version, from the build ({@code jgluon/version.properties}, filtered by Maven). */
final class Version {

    static final String VERSION = load();

    private Version() {}

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/jgluon/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
