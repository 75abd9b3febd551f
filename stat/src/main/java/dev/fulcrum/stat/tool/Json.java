package dev.fulcrum.stat.tool;

/**
 * Just enough JSON for the stat tool's one-object-per-line output: quoted strings with the escapes RFC 8259 asks
 * for, appended to a {@link StringBuilder}.
 */
final class Json
{
    private Json()
    {
    }

    /**
     * Append {@code "name":} to {@code out}.
     */
    static StringBuilder name(final StringBuilder out, final String name)
    {
        return string(out, name).append(':');
    }

    /**
     * Append {@code value} as a JSON string, or {@code null}.
     */
    static StringBuilder string(final StringBuilder out, final String value)
    {
        if (null == value)
        {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        return out.append('"');
    }
}
