//! Pigment: always ash-toned (cool, near carbon black). A shade is a dilution: how much of the
//! light a fully covered patch of skin absorbs. Never an opaque paint colour.

use serde::{Deserialize, Serialize};

/// An ash-toned SMP pigment dilution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shade {
    /// Share of light absorbed under full coverage, 0.2 (very diluted) ..= 0.97 (undiluted carbon).
    pub strength: f32,
}

/// A named dilution offered in the palette, darkest first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShadePreset {
    pub name: &'static str,
    pub shade: Shade,
}

pub const SHADE_PRESETS: [ShadePreset; 5] = [
    ShadePreset { name: "Carbon (darkest)", shade: Shade { strength: 0.94 } },
    ShadePreset { name: "Charcoal", shade: Shade { strength: 0.86 } },
    ShadePreset { name: "Ash", shade: Shade { strength: 0.76 } },
    ShadePreset { name: "Light ash", shade: Shade { strength: 0.64 } },
    ShadePreset { name: "Soft ash (lightest)", shade: Shade { strength: 0.52 } },
];

/// Relative absorption per channel of carbon-based ash pigment: slightly less in blue, so
/// diluted dots read cool grey, never warm brown. Kept small: a strong blue cast is the classic
/// "blue dots" failure of pigment placed too deep.
const ASH_ABSORPTION_RGB: [f32; 3] = [1.0, 0.99, 0.965];

impl Shade {
    pub const MIN_STRENGTH: f32 = 0.2;
    pub const MAX_STRENGTH: f32 = 0.97;

    pub fn new(strength: f32) -> Self {
        let s = if strength.is_finite() { strength } else { SHADE_PRESETS[2].shade.strength };
        Self { strength: s.clamp(Self::MIN_STRENGTH, Self::MAX_STRENGTH) }
    }

    /// Fraction of linear light absorbed per channel under full coverage.
    pub fn absorption_rgb(&self) -> [f32; 3] {
        ASH_ABSORPTION_RGB.map(|a| (a * self.strength).clamp(0.0, 1.0))
    }

    /// The preset with this exact strength, if any.
    pub fn preset_name(&self) -> Option<&'static str> {
        SHADE_PRESETS.iter().find(|p| (p.shade.strength - self.strength).abs() < 1e-4).map(|p| p.name)
    }
}

impl Default for Shade {
    fn default() -> Self {
        SHADE_PRESETS[1].shade
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_go_darkest_to_lightest_and_are_ash() {
        for w in SHADE_PRESETS.windows(2) {
            assert!(w[0].shade.strength > w[1].shade.strength);
        }
        for p in SHADE_PRESETS {
            let [r, g, b] = p.shade.absorption_rgb();
            // Cool: blue absorbed least, but only a little (no blue dots).
            assert!(b < r && g <= r && r - b < 0.05, "{}", p.name);
        }
    }

    #[test]
    fn custom_strength_is_clamped() {
        assert_eq!(Shade::new(5.0).strength, Shade::MAX_STRENGTH);
        assert_eq!(Shade::new(-1.0).strength, Shade::MIN_STRENGTH);
        assert_eq!(Shade::new(f32::NAN).preset_name(), Some("Ash"));
    }
}
