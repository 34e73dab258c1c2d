package io.ocbridge.core.device;

/**
 * The names Linux accepts for a network interface: 1..15 bytes ({@code IFNAMSIZ} less the NUL),
 * not {@code .} or {@code ..}, no {@code /}, {@code :} or whitespace. Non-ASCII is refused too.
 */
public final class InterfaceName {

    /** {@code IFNAMSIZ - 1}: room for the terminating NUL in {@code struct ifreq}. */
    public static final int MAX_LENGTH = 15;

    private InterfaceName() {
    }

    /** Why {@code name} is not a valid interface name, or null if it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "is " + name.length() + " characters; Linux allows at most " + MAX_LENGTH;
        }
        if (name.equals(".") || name.equals("..")) {
            return "must not be . or ..";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == '/' || c == ':') {
                return "may contain only printable ASCII other than '/', ':' and spaces";
            }
        }
        return null;
    }

    /** Returns {@code name} if valid, else throws {@link IllegalArgumentException} saying why. */
    public static String validate(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("interface name \"" + name + "\" " + problem);
        }
        return name;
    }
}
