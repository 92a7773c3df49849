package dev.loupe.blob;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Decides whether an address is one a server fetching user-supplied URLs must not reach:
 * loopback, private, link-local, unique-local, carrier-grade NAT, multicast, unspecified,
 * reserved or documentation ranges.
 *
 * <p>IPv6 forms that carry an IPv4 address are judged by that IPv4 address, because a
 * host or a translator on the path delivers them to it: IPv4-compatible {@code ::a.b.c.d},
 * IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-translated {@code ::ffff:0:a.b.c.d}, NAT64
 * {@code 64:ff9b::/96}, 6to4 {@code 2002::/16} and Teredo {@code 2001:0::/32} (both its
 * server and its obfuscated client address). The local-use NAT64 prefix {@code 64:ff9b:1::/48}
 * is internal as a whole: where its translator embeds the IPv4 address depends on the
 * site's prefix length. Pure: decides from the bytes, never touches the network.
 */
final class InternalAddresses {
    private InternalAddresses() {
    }

    static boolean isInternal(InetAddress a) {
        return switch (a) {
            case Inet4Address v4 -> isInternalV4(v4.getAddress());
            case Inet6Address v6 -> isInternalV6(v6.getAddress());
            default -> true; // an address family we do not know is not one we vouch for
        };
    }

    private static boolean isInternalV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int third = b[2] & 0xff;
        return first == 0                                          // "this network"
                || first == 10                                     // private
                || first == 127                                    // loopback
                || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT
                || (first == 169 && second == 254)                 // link-local, cloud metadata
                || (first == 172 && second >= 16 && second <= 31)  // private
                || (first == 192 && second == 168)                 // private
                || (first == 192 && second == 0 && (third == 0 || third == 2)) // IETF protocol, documentation
                || (first == 192 && second == 88 && third == 99)   // 6to4 relay anycast
                || (first == 198 && (second == 18 || second == 19)) // benchmarking
                || (first == 198 && second == 51 && third == 100)  // documentation
                || (first == 203 && second == 0 && third == 113)   // documentation
                || first >= 224;                                   // multicast, reserved, broadcast
    }

    private static boolean isInternalV6(byte[] b) {
        if (zero(b, 0, 12)) {
            // :: and ::1, then IPv4-compatible ::a.b.c.d (deprecated, but stacks still route it)
            if (zero(b, 12, 15) && (b[15] == 0 || b[15] == 1)) return true;
            return isInternalV4(slice(b, 12));
        }
        if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) return isInternalV4(slice(b, 12)); // mapped
        if (zero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && zero(b, 10, 12)) {
            return isInternalV4(slice(b, 12)); // IPv4-translated (SIIT)
        }
        int w0 = word(b, 0);
        int w1 = word(b, 1);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            if (zero(b, 4, 12)) return isInternalV4(slice(b, 12)); // well-known NAT64 prefix
            if (word(b, 2) == 0x0001) return true;                  // local-use NAT64 64:ff9b:1::/48
        }
        if (w0 == 0x2002) return isInternalV4(slice(b, 2)); // 6to4 embeds the site's IPv4 address
        if (w0 == 0x2001 && w1 == 0x0000) {                  // Teredo: server, then client XOR all ones
            byte[] client = slice(b, 12);
            for (int i = 0; i < 4; i++) client[i] = (byte) ~client[i];
            return isInternalV4(slice(b, 4)) || isInternalV4(client);
        }
        int first = b[0] & 0xff;
        return first == 0xff                                   // multicast
                || (first & 0xfe) == 0xfc                      // fc00::/7 unique local
                || (first == 0xfe && (b[1] & 0xc0) == 0x80)    // fe80::/10 link-local
                || (first == 0xfe && (b[1] & 0xc0) == 0xc0)    // fec0::/10 site-local (deprecated)
                || (w0 == 0x0100 && zero(b, 2, 8))             // 100::/64 discard-only
                || (w0 == 0x2001 && w1 == 0x0db8)              // documentation
                || (w0 == 0x2001 && (w1 & 0xfff0) == 0x0010)   // ORCHID 2001:10::/28
                || (w0 == 0x2001 && (w1 & 0xfff0) == 0x0020)   // ORCHIDv2 2001:20::/28
                || first < 0x20 || first >= 0x40;              // outside 2000::/3, the global unicast space
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) return false;
        }
        return true;
    }

    private static int word(byte[] b, int index) {
        return ((b[2 * index] & 0xff) << 8) | (b[2 * index + 1] & 0xff);
    }

    private static byte[] slice(byte[] b, int from) {
        return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
    }
}
