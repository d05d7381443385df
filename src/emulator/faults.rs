//! Test-only fault injection (`acs-chat serve --faults SPEC`, off by default): makes
//! the emulator misbehave like a struggling service so clients' retry and dedupe
//! logic can be proven against a real server.
//!
//! SPEC is a comma-separated list of `KIND=PERCENT` plus options, e.g.
//! `429=4,500=4,503=4,drop=3,delay=2,lost=3,delay-ms=1500,seed=7`:
//! - `429`: answer 429 with `Retry-After` (nothing processed);
//! - `500`, `503`: answer that status in the service's error shape (nothing processed;
//!   the 503 carries no `Retry-After`);
//! - `drop`: cut the connection without processing;
//! - `delay`: process, but answer only after `delay-ms` (default 2000), meant to be
//!   past the client's timeout;
//! - `lost`: process, then cut the connection: the change is made, the answer lost.
//!
//! `retry-after=SECS` (default 1) sets the 429's `Retry-After`.
//! The percentages must add up to at most 100. `seed` makes the sequence of
//! decisions reproducible. Health and shutdown requests are never faulted.

use std::sync::Mutex;
use std::time::Duration;

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    TooManyRequests,
    Internal,
    Unavailable,
    Drop,
    Delay(Duration),
    Lost,
}

/// A parsed `--faults` spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    /// Percent of requests per kind, in the order of [`KINDS`].
    rates: [u8; 6],
    delay: Duration,
    retry_after_secs: u64,
    seed: u64,
}

const KINDS: [&str; 6] = ["429", "500", "503", "drop", "delay", "lost"];

impl FaultSpec {
    /// Parses a spec; the error names the offending part.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut out = Self {
            rates: [0; 6],
            delay: Duration::from_millis(2000),
            retry_after_secs: 1,
            seed: 0x00fa_0175,
        };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not KIND=VALUE"))?;
            let number = |what: &str| {
                value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| format!("`{part}`: {what} must be a whole number"))
            };
            match key.trim() {
                "delay-ms" => out.delay = Duration::from_millis(number("the delay")?),
                "seed" => out.seed = number("the seed")?,
                "retry-after" => out.retry_after_secs = number("Retry-After")?,
                k => {
                    let i = KINDS.iter().position(|x| *x == k).ok_or_else(|| {
                        format!(
                            "unknown fault `{k}` (expected one of {}, delay-ms, retry-after, seed)",
                            KINDS.join(", ")
                        )
                    })?;
                    let pct = number("the rate")?;
                    out.rates[i] = u8::try_from(pct)
                        .ok()
                        .filter(|p| *p <= 100)
                        .ok_or_else(|| format!("`{part}`: a rate is a percentage, 0 to 100"))?;
                }
            }
        }
        let total: u32 = out.rates.iter().map(|r| u32::from(*r)).sum();
        if total > 100 {
            return Err(format!(
                "the fault rates add up to {total} %, more than 100 %"
            ));
        }
        Ok(out)
    }

    /// The fault for a roll in `0..100`, if any.
    pub fn pick(&self, roll: u8) -> Option<Fault> {
        let mut edge = 0u32;
        for (i, rate) in self.rates.iter().enumerate() {
            edge += u32::from(*rate);
            if u32::from(roll) < edge {
                return Some(match i {
                    0 => Fault::TooManyRequests,
                    1 => Fault::Internal,
                    2 => Fault::Unavailable,
                    3 => Fault::Drop,
                    4 => Fault::Delay(self.delay),
                    _ => Fault::Lost,
                });
            }
        }
        None
    }
}

/// The running injector: a spec and its seeded sequence of rolls.
pub struct Faults {
    spec: FaultSpec,
    state: Mutex<u64>,
}

impl Faults {
    pub fn new(spec: FaultSpec) -> Self {
        let state = Mutex::new(spec.seed);
        Self { spec, state }
    }

    /// Seconds in the `Retry-After` of an injected 429.
    pub fn retry_after_secs(&self) -> u64 {
        self.spec.retry_after_secs
    }

    /// The fault for the next request, if any.
    pub fn next(&self) -> Option<Fault> {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        self.spec.pick((z % 100) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates_and_options() {
        let s = FaultSpec::parse("429=5, 500=3,503=2,drop=4,delay=1,lost=5,delay-ms=900,seed=3")
            .expect("valid");
        assert_eq!(s.rates, [5, 3, 2, 4, 1, 5]);
        assert_eq!(s.delay, Duration::from_millis(900));
        assert_eq!(s.pick(0), Some(Fault::TooManyRequests));
        assert_eq!(s.pick(5), Some(Fault::Internal));
        assert_eq!(s.pick(8), Some(Fault::Unavailable));
        assert_eq!(s.pick(10), Some(Fault::Drop));
        assert_eq!(s.pick(14), Some(Fault::Delay(Duration::from_millis(900))));
        assert_eq!(s.pick(15), Some(Fault::Lost));
        assert_eq!(s.pick(20), None);
        assert_eq!(s.pick(99), None);
    }

    #[test]
    fn refuses_bad_specs_naming_the_part() {
        assert!(FaultSpec::parse("teapot=5").unwrap_err().contains("teapot"));
        assert!(FaultSpec::parse("500").unwrap_err().contains("`500`"));
        assert!(FaultSpec::parse("500=x").unwrap_err().contains("500=x"));
        assert!(
            FaultSpec::parse("500=101")
                .unwrap_err()
                .contains("percentage")
        );
        assert!(
            FaultSpec::parse("500=60,503=50")
                .unwrap_err()
                .contains("110")
        );
    }

    #[test]
    fn the_rate_is_roughly_what_was_asked() {
        let f = Faults::new(FaultSpec::parse("500=20").expect("valid"));
        let hits = (0..10_000).filter(|_| f.next().is_some()).count();
        assert!((1_700..2_300).contains(&hits), "{hits}");
    }
}
