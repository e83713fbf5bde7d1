package org.jgluon.repl;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a Java API object looks from JavaScript: Gluon's snake_case names ({@code collect_params},
 * {@code save_parameters}, {@code set_learning_rate}) map to the Java camelCase methods, a few
 * names are properties as in Gluon ({@code trainer.learning_rate}), and the camelCase names work
 * too. One {@link Info} per class, computed once.
 */
final class HostMembers {

    /** Names that Gluon reads as properties; a zero-argument Java method of that name is called. */
    private static final Set<String> PROPERTIES = Set.of(
            "learning_rate", "shape", "name", "prefix", "params", "optimizer", "dtype", "ndim",
            "num_update", "classes", "synset", "dataset",
            "weight", "bias", "gamma", "beta", "running_mean", "running_var");

    /** Gluon spellings whose Java name is not the plain camelCase of the snake_case one. */
    private static final Map<String, String> ALIASES = Map.of(
            "asscalar", "asScalar",
            "asnumpy", "toArray",
            "len", "size");

    private static final Set<String> OBJECT_METHODS = Set.of(
            "equals", "hashCode", "getClass", "wait", "notify", "notifyAll");

    private static final Map<Class<?>, Info> CACHE = new ConcurrentHashMap<>();

    private HostMembers() {}

    static Info of(Class<?> c) {
        return CACHE.computeIfAbsent(c, Info::new);
    }

    /** {@code collect_params} → {@code collectParams}. */
    static String camel(String snake) {
        StringBuilder b = new StringBuilder(snake.length());
        boolean up = false;
        for (int i = 0; i < snake.length(); i++) {
            char ch = snake.charAt(i);
            if (ch == '_' && i > 0) {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }

    /** {@code collectParams} → {@code collect_params}. */
    static String snake(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch) && i > 0 && !Character.isUpperCase(camel.charAt(i - 1))) {
                b.append('_');
            }
            b.append(Character.toLowerCase(ch));
        }
        return b.toString();
    }

    static final class Info {
        final Class<?> type;
        /** Java method names callable from JS (public, declared in the API). */
        final Set<String> methods = new TreeSet<>();
        final Set<String> zeroArg = new TreeSet<>();
        final Map<String, String> resolved = new ConcurrentHashMap<>();

        Info(Class<?> c) {
            this.type = c;
            for (Method m : c.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || OBJECT_METHODS.contains(m.getName())) {
                    continue;
                }
                Class<?> owner = m.getDeclaringClass();
                if (!ApiClasses.isApiName(owner.getName()) && !m.getName().equals("toString")) {
                    continue;
                }
                methods.add(m.getName());
                if (m.getParameterCount() == 0) {
                    zeroArg.add(m.getName());
                }
            }
        }

        boolean has(String javaName) {
            return methods.contains(javaName);
        }

        /**
         * What a JS member name means: {@code "m:javaName"} (a method), {@code "p:javaName"} (a
         * property read by calling the zero-argument method) or {@code ""} (nothing).
         */
        String resolve(String jsName) {
            return resolved.computeIfAbsent(jsName, this::lookup);
        }

        private String lookup(String js) {
            if (PROPERTIES.contains(js)) {
                String c = camel(js);
                if (zeroArg.contains(c)) {
                    return "p:" + c;
                }
                if (zeroArg.contains(js)) {
                    return "p:" + js;
                }
            }
            if (js.equals("length") && zeroArg.contains("size")) {
                return "p:size";
            }
            String alias = ALIASES.get(js);
            if (alias != null && has(alias)) {
                return "m:" + alias;
            }
            if (has(js)) {
                return "m:" + js;
            }
            String c = camel(js);
            if (has(c)) {
                return "m:" + c;
            }
            return "";
        }

        /** The names a user sees (completion): Gluon's snake_case spelling of each method. */
        Set<String> jsNames() {
            Set<String> out = new TreeSet<>();
            for (String m : methods) {
                out.add(snake(m));
            }
            if (zeroArg.contains("size")) {
                out.add("length");
            }
            return out;
        }
    }
}
