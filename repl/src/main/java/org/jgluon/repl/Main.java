package org.jgluon.repl;

/** The {@code jgluon} command line: runs a script, the REPL, or a benchmark. */
public final class Main {
    public static void main(String[] args) {
        System.out.println("jgluon 0.1.0-SNAPSHOT");
    }
}
