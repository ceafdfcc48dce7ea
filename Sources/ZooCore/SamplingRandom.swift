/// The random generator a generation session owns: xoshiro256** seeded through SplitMix64.
///
/// The algorithm is fixed so that the same seed gives the same stream on every machine and every
/// run, and no state is shared between sessions:
///
/// - **Seeding.** The 64-bit seed drives SplitMix64 (Steele, Lea and Flood 2014:
///   `x += 0x9E3779B97F4A7C15; z = x; z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9;
///   z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; z ^ (z >> 31)`); its first four outputs are the
///   state `s0…s3` (never all zero, since SplitMix64 is a bijection of a counter).
/// - **Next.** xoshiro256** 1.0 (Blackman and Vigna 2018): `result = rotl(s1 &* 5, 7) &* 9`, then
///   `t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)`.
/// - **Uniform doubles.** ``nextDouble()`` is `Double(next() >> 11) * 2⁻⁵³`: the 53 high bits,
///   uniform on `[0, 1)`, exact in binary floating point, so identical on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole future output is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
