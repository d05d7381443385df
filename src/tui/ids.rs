//! Client message ids without IO: a splitmix64 generator whose seed is injected
//! (the IO side passes a random seed; tests pass a fixed one) and mixed with the clock
//! of every tick, so two runs never replay the same sequence.

/// A tiny deterministic PRNG for client message ids (not for anything secret).
#[derive(Debug, Clone)]
pub struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed ^ 0x5DEE_CE66_D1CE_4E5B,
        }
    }

    /// Stirs extra entropy (e.g. the tick's nanoseconds) into the state.
    pub fn mix(&mut self, entropy: u64) {
        self.state ^= entropy.rotate_left(17);
        let _ = self.next_u64();
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A client message id: an unsigned 64-bit number in decimal, as the seed asks.
    pub fn client_message_id(&mut self) -> String {
        self.next_u64().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_decimal_and_distinct() {
        let mut g = IdGenerator::new(7);
        let a = g.client_message_id();
        let b = g.client_message_id();
        assert_ne!(a, b);
        assert!(a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok());
        let mut h = IdGenerator::new(7);
        h.mix(12345);
        assert_ne!(h.client_message_id(), a, "mixing changes the sequence");
    }
}
