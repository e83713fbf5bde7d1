package org.jgluon.repl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Value;

/**
 * JavaScript values turned into the Java values the API takes: an options object becomes a
 * {@code Kwargs} (Gluon's keyword arguments), arrays become lists, wrapped jgluon objects their
 * Java selves. Used by {@link Sandbox}'s type mapping, so any Java parameter of type
 * {@code Kwargs} accepts a plain JS object.
 */
final class JsValues {

    /** The member under which every wrapper of the prelude gives out its Java object. */
    static final String HOST_MEMBER = "__host__";

    private JsValues() {}

    /** A plain JS object used as an options object (not an array, function, wrapper or host object). */
    static boolean isOptionsObject(Value v) {
        return v.hasMembers() && !v.isHostObject() && !v.isProxyObject() && !v.canExecute()
                && !v.hasArrayElements() && !v.isNull() && !v.isString() && !v.isNumber()
                && !v.isBoolean() && wrappedHost(v) == null;
    }

    /** The Java object behind one of the prelude's wrappers (an NDArray, a block), or null. */
    static Object wrappedHost(Value v) {
        if (!v.hasMembers() || v.isHostObject()) {
            return null;
        }
        Value h = v.getMember(HOST_MEMBER); // read, not hasMember: a JS Proxy answers reads only
        return h != null && h.isHostObject() ? h.asHostObject() : null;
    }

    static Map<String, Object> toMap(Value options) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String key : options.getMemberKeys()) {
            m.put(key, toJava(options.getMember(key)));
        }
        return m;
    }

    /** A JS value as the plain Java value the API's getters understand. */
    static Object toJava(Value v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            if (v.fitsInInt()) {
                return v.asInt();
            }
            if (v.fitsInLong()) {
                return v.asLong();
            }
            return v.asDouble();
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v.isHostObject()) {
            return v.asHostObject();
        }
        Object wrapped = wrappedHost(v);
        if (wrapped != null) {
            return wrapped;
        }
        if (v.hasArrayElements()) {
            List<Object> list = new ArrayList<>((int) v.getArraySize());
            for (long i = 0; i < v.getArraySize(); i++) {
                list.add(toJava(v.getArrayElement(i)));
            }
            return list;
        }
        if (isOptionsObject(v)) {
            return toMap(v);
        }
        return v;
    }
}
