package org.jgluon.repl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The public classes of jgluon's API, found on the class path: everything under {@code org.jgluon}
 * except the command line itself ({@code org.jgluon.repl}, whose {@code report} package is API)
 * and the benchmarks. Scripts may use exactly these classes' public members (see {@link Sandbox}),
 * and the prelude builds the {@code nn}, {@code init}, {@code gluon.*} namespaces from them, so
 * a class the layers library adds shows up in JavaScript without a binding of its own.
 */
final class ApiClasses {

    private static volatile List<Class<?>> all;

    private ApiClasses() {}

    static List<Class<?>> all() {
        List<Class<?>> a = all;
        if (a == null) {
            synchronized (ApiClasses.class) {
                if (all == null) {
                    all = List.copyOf(scan());
                }
                a = all;
            }
        }
        return a;
    }

    /** The class with this name if it is part of the API, else null. */
    static Class<?> find(String name) {
        for (Class<?> c : all()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    static boolean isApiName(String className) {
        if (!className.startsWith("org.jgluon.")) {
            return false;
        }
        if (className.startsWith("org.jgluon.repl.")) {
            return className.startsWith("org.jgluon.repl.report.");
        }
        return !className.startsWith("org.jgluon.bench.");
    }

    private static List<Class<?>> scan() {
        ClassLoader loader = ApiClasses.class.getClassLoader();
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources("org/jgluon/");
            while (roots.hasMoreElements()) {
                collect(roots.nextElement(), names);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("jgluon: cannot list the API classes on the class path", e);
        }
        List<Class<?>> out = new ArrayList<>();
        for (String n : names) {
            if (!isApiName(n)) {
                continue;
            }
            try {
                Class<?> c = Class.forName(n, false, loader);
                if (Modifier.isPublic(c.getModifiers()) && !c.isSynthetic() && !c.isAnonymousClass()) {
                    out.add(c);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // a class that does not load is no API; skip it
            }
        }
        return out;
    }

    private static void collect(URL root, TreeSet<String> names) throws IOException {
        switch (root.getProtocol()) {
            case "file" -> {
                Path dir;
                try {
                    dir = Path.of(root.toURI());
                } catch (URISyntaxException e) {
                    return;
                }
                Path base = dir.getParent().getParent(); // .../org/jgluon -> class path root
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(p -> p.toString().endsWith(".class"))
                            .forEach(p -> names.add(className(base.relativize(p).toString().replace('\\', '/'))));
                }
            }
            case "jar" -> {
                JarURLConnection conn = (JarURLConnection) root.openConnection();
                conn.setUseCaches(false);
                try (JarFile jar = conn.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String n = entries.nextElement().getName();
                        if (n.startsWith("org/jgluon/") && n.endsWith(".class")) {
                            names.add(className(n));
                        }
                    }
                }
            }
            default -> { }
        }
    }

    private static String className(String resource) {
        return resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
    }
}
