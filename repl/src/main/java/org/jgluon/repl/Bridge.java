package org.jgluon.repl;

import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.jgluon.engine.Tensor;
import org.jgluon.gluon.Kwargs;

/**
 * The Java side of the prelude ({@code jgluon/prelude/*.js}): what the JavaScript wrappers need to
 * know about Java objects (their kind, their members under Gluon's names), the API classes by
 * package, tensors built from JS arrays in one Java loop, and the script's command line. Only the
 * prelude holds a reference to it; scripts cannot reach it.
 */
public final class Bridge {

    /** {@code exit(code)} from a script: unwinds the script, the runner exits with the code. */
    static final class ScriptExit extends RuntimeException {
        final int code;

        ScriptExit(int code) {
            super("exit(" + code + ")", null, false, false);
            this.code = code;
        }
    }

    private final String program;
    private final List<String> argv;
    private final Map<String, Object> extraGlobals;
    private final Map<String, Integer> padCache = new ConcurrentHashMap<>();

    Bridge(String program, List<String> argv, Map<String, Object> extraGlobals) {
        this.program = program;
        this.argv = List.copyOf(argv);
        this.extraGlobals = extraGlobals;
    }

    @HostAccess.Export
    public String[] argv() {
        return argv.toArray(String[]::new);
    }

    @HostAccess.Export
    public String version() {
        return Version.VERSION;
    }

    @HostAccess.Export
    public String program() {
        return program;
    }

    @HostAccess.Export
    public String[] extraGlobalNames() {
        return extraGlobals.keySet().toArray(String[]::new);
    }

    @HostAccess.Export
    public Object extraGlobal(String name) {
        return extraGlobals.get(name);
    }

    /** The static side of an API class (constructors, static methods), or null if there is none. */
    @HostAccess.Export
    public Value type(String className) {
        Class<?> c = ApiClasses.find(className);
        return c == null ? null : Value.asValue(c).getMember("static");
    }

    /**
     * The API classes directly in a package that a script can construct or call statically:
     * public, concrete, top-level. Interfaces and abstract classes are left out.
     */
    @HostAccess.Export
    public String[] classesIn(String pkg) {
        List<String> out = new ArrayList<>();
        for (Class<?> c : ApiClasses.all()) {
            if (!c.getPackageName().equals(pkg) || c.getEnclosingClass() != null) {
                continue;
            }
            if (c.isInterface() || Modifier.isAbstract(c.getModifiers()) || c.isEnum() || c.isRecord()) {
                continue;
            }
            if (c.getConstructors().length > 0) {
                out.add(c.getSimpleName());
            }
        }
        return out.toArray(String[]::new);
    }

    /** The sub-packages of an API package that hold classes (one level). */
    @HostAccess.Export
    public String[] subPackages(String pkg) {
        List<String> out = new ArrayList<>();
        String prefix = pkg + ".";
        for (Class<?> c : ApiClasses.all()) {
            String p = c.getPackageName();
            if (p.startsWith(prefix)) {
                String child = p.substring(prefix.length());
                int dot = child.indexOf('.');
                child = dot < 0 ? child : child.substring(0, dot);
                if (!out.contains(child)) {
                    out.add(child);
                }
            }
        }
        return out.toArray(String[]::new);
    }

    /**
     * What a value is to the prelude: {@code js} (not a Java object), {@code tensor},
     * {@code block} (callable: has {@code forward}), {@code tuple} (an API record, e.g. a batch or a
     * metric's (name, value): an array), {@code list}, {@code array}, {@code map},
     * {@code object} (another API object) or {@code java} (any other Java object).
     */
    @HostAccess.Export
    public String kind(Value v) {
        if (!v.isHostObject()) {
            return "js";
        }
        Object o = v.asHostObject();
        if (o instanceof Tensor) {
            return "tensor";
        }
        if (o instanceof List<?>) {
            return "list";
        }
        if (o instanceof Map<?, ?>) {
            return "map";
        }
        if (o.getClass().isArray()) {
            return "array";
        }
        Class<?> c = o.getClass();
        if (!isApi(c)) {
            return o instanceof Collection<?> ? "list" : "java";
        }
        if (c.isRecord()) {
            return "tuple";
        }
        if (HostMembers.of(c).has("forward")) {
            return "block";
        }
        return "object";
    }

    private static boolean isApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (ApiClasses.isApiName(k.getName())) {
                return true;
            }
        }
        for (Class<?> i : c.getInterfaces()) {
            if (ApiClasses.isApiName(i.getName())) {
                return true;
            }
        }
        return false;
    }

    /** A record's components in order (a batch → data, label). */
    @HostAccess.Export
    public Object[] components(Value v) {
        Object o = v.asHostObject();
        var comps = o.getClass().getRecordComponents();
        Object[] out = new Object[comps.length];
        try {
            for (int i = 0; i < comps.length; i++) {
                Method acc = comps[i].getAccessor();
                acc.setAccessible(true);
                out[i] = acc.invoke(o);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + o.getClass().getSimpleName(), e);
        }
        return out;
    }

    /** See {@link HostMembers.Info#resolve}. */
    @HostAccess.Export
    public String resolve(Value v, String jsName) {
        return HostMembers.of(v.asHostObject().getClass()).resolve(jsName);
    }

    @HostAccess.Export
    public String[] members(Value v) {
        return HostMembers.of(v.asHostObject().getClass()).jsNames().toArray(String[]::new);
    }

    @HostAccess.Export
    public boolean isIterable(Value v) {
        return v.isHostObject() && v.asHostObject() instanceof Iterable<?>;
    }

    @HostAccess.Export
    public String str(Value v) {
        if (!v.isHostObject()) {
            return v.toString();
        }
        Object o = v.asHostObject();
        if (o instanceof float[] f) {
            return f.length <= 100 ? Arrays.toString(f) : "float[" + f.length + "]";
        }
        if (o instanceof int[] i) {
            return i.length <= 100 ? Arrays.toString(i) : "int[" + i.length + "]";
        }
        if (o instanceof Object[] a) {
            return a.length <= 100 ? Arrays.deepToString(a) : o.getClass().getComponentType().getSimpleName() + "[" + a.length + "]";
        }
        return String.valueOf(o);
    }

    @HostAccess.Export
    public String className(Value v) {
        return v.isHostObject() ? v.asHostObject().getClass().getSimpleName() : "";
    }

    /**
     * Whether a call with {@code argc} arguments should get an empty options object appended
     * (Gluon's keyword arguments are optional; the Java API takes a trailing {@code Kwargs}):
     * 0 = no; 1 = yes (no overload takes {@code argc} parameters, one takes {@code argc + 1}
     * ending in {@code Kwargs}); 2 = only if the call without it finds no overload.
     * {@code method} is the Java method name, or {@code <init>}.
     */
    @HostAccess.Export
    public int padKwargs(Value target, String method, int argc) {
        Class<?> c = targetClass(target);
        if (c == null) {
            return 0;
        }
        return padCache.computeIfAbsent(c.getName() + "#" + method + "#" + argc, k -> computePad(c, method, argc));
    }

    private static Class<?> targetClass(Value target) {
        if (target.isHostObject()) {
            Object o = target.asHostObject();
            return o instanceof Class<?> k ? k : o.getClass();
        }
        if (target.hasMember("class")) {
            return target.getMember("class").asHostObject();
        }
        return null;
    }

    private static List<Executable> overloads(Class<?> c, String method) {
        List<Executable> candidates = new ArrayList<>();
        if (method.equals("<init>")) {
            candidates.addAll(Arrays.asList(c.getConstructors()));
        } else {
            for (Method m : c.getMethods()) {
                if (m.getName().equals(method)) {
                    candidates.add(m);
                }
            }
        }
        return candidates;
    }

    private static int computePad(Class<?> c, String method, int argc) {
        Class<?> kw = Kwargs.class;
        boolean exact = false, padded = false;
        for (Executable e : overloads(c, method)) {
            int n = e.getParameterCount();
            if (n == argc || (e.isVarArgs() && argc >= n - 1)) {
                exact = true;
            }
            if (n == argc + 1 && e.getParameterTypes()[n - 1] == kw) {
                padded = true;
            }
        }
        return !padded ? 0 : exact ? 2 : 1;
    }

    /** How a script may call a constructor or method, in JS terms: {@code Dense(number, {options}) or Dense(number)}. */
    @HostAccess.Export
    public String signatures(Value target, String method, String shown) {
        Class<?> c = targetClass(target);
        if (c == null) {
            return "";
        }
        List<String> forms = new ArrayList<>();
        for (Executable e : overloads(c, method)) {
            StringBuilder b = new StringBuilder(shown).append('(');
            Class<?>[] ps = e.getParameterTypes();
            for (int i = 0; i < ps.length; i++) {
                b.append(i == 0 ? "" : ", ").append(jsType(ps[i], e.isVarArgs() && i == ps.length - 1));
            }
            forms.add(b.append(')').toString());
        }
        return String.join(" or ", forms);
    }

    private static String jsType(Class<?> t, boolean varargs) {
        if (varargs && t.isArray()) {
            return "..." + jsType(t.getComponentType(), false);
        }
        if (t == Kwargs.class) {
            return "{options}";
        }
        if (t.isPrimitive() && t != boolean.class || Number.class.isAssignableFrom(t)) {
            return "number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "boolean";
        }
        if (t == String.class || t == java.nio.file.Path.class) {
            return "string";
        }
        if (t == Tensor.class) {
            return "NDArray";
        }
        if (t.isArray() || List.class.isAssignableFrom(t)) {
            return "array";
        }
        if (t == java.util.function.Function.class || t == java.util.function.Supplier.class) {
            return "function";
        }
        return t.getSimpleName();
    }

    /** A tensor from a number, a (nested) JS array or typed array, read in one Java loop. */
    @HostAccess.Export
    public Tensor tensor(Value data) {
        if (data.isNumber()) {
            return Tensor.scalar((float) data.asDouble());
        }
        List<Integer> shape = new ArrayList<>();
        Value v = data;
        while (v.hasArrayElements()) {
            shape.add((int) v.getArraySize());
            if (v.getArraySize() == 0) {
                break;
            }
            v = v.getArrayElement(0);
        }
        if (shape.isEmpty()) {
            throw new IllegalArgumentException("nd.array: expected a number or an array of numbers, got " + data);
        }
        int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nd.array: too many elements " + size);
        }
        float[] out = new float[(int) size];
        fill(data, dims, 0, out, new int[] {0});
        return Tensor.wrap(out, dims);
    }

    private static void fill(Value v, int[] dims, int axis, float[] out, int[] pos) {
        if (!v.hasArrayElements() || v.getArraySize() != dims[axis]) {
            throw new IllegalArgumentException("nd.array: the nested arrays are not rectangular: expected "
                    + dims[axis] + " elements at depth " + axis + ", got " + v);
        }
        long n = v.getArraySize();
        if (axis == dims.length - 1) {
            for (long i = 0; i < n; i++) {
                Value e = v.getArrayElement(i);
                if (e.isNumber()) {
                    out[pos[0]++] = (float) e.asDouble();
                } else if (e.isBoolean()) {
                    out[pos[0]++] = e.asBoolean() ? 1f : 0f;
                } else {
                    throw new IllegalArgumentException("nd.array: expected numbers, got " + e);
                }
            }
        } else {
            for (long i = 0; i < n; i++) {
                fill(v.getArrayElement(i), dims, axis + 1, out, pos);
            }
        }
    }

    /** {@code parse_args(spec)}: see {@link ScriptArgs}. */
    @HostAccess.Export
    public ProxyObject parseArgs(Value spec, Value argvOverride) {
        if (!JsValues.isOptionsObject(spec)) {
            throw new IllegalArgumentException("parse_args: expected an object of options, e.g. parse_args({epochs: 10, lr: 0.01})");
        }
        List<String> args = argv;
        if (argvOverride != null && argvOverride.hasArrayElements()) {
            args = new ArrayList<>();
            for (long i = 0; i < argvOverride.getArraySize(); i++) {
                args.add(argvOverride.getArrayElement(i).toString());
            }
        }
        Map<String, Object> parsed = ScriptArgs.fromSpec(program, JsValues.toMap(spec)).parse(args);
        @SuppressWarnings("unchecked")
        List<String> positional = (List<String>) parsed.get("_");
        parsed.put("_", ProxyArray.fromList(new ArrayList<Object>(positional)));
        return ProxyObject.fromMap(parsed);
    }

    @HostAccess.Export
    public void exit(int code) {
        throw new ScriptExit(code);
    }
}
