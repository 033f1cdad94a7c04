package org.corvid.bench;

import java.util.HashMap;
import java.util.Map;

/** The {@code --key=value} options of the drivers that take free-form options (documented in their class comments). */
final class BenchArgs {
    private BenchArgs() {
    }

    /** The options by key; a malformed argument ends the program with exit code 2. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                System.err.println("usage: --key=value ...; see the class comment");
                System.exit(2);
            }
            opt.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return opt;
    }
}
