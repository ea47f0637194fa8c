// Which prices a "cheapest" answer may trust. Variants (free, batch, flex, quantized, extended, confidential
// offers) are not the regular product, and a flagged price is more than 10x from its family's median at other
// providers (often stale or in the wrong unit): both are shown, but never crowned cheapest unless asked for.

/** The explorer switches: [state key, label]; each is "1" when on, and lives in the URL like every filter. */
export const TRUST_SWITCHES = [["priced", "Priced only"], ["novar", "Hide free variants"], ["noflag", "Hide flagged"]];
/** What each switch leaves out, shown as the switch's tooltip. */
export const TRUST_HELP = {
  priced: "Leave out models without any known price",
  novar: "Leave out $0 offers and variants (free, batch, flex, quantized, extended, confidential)",
  noflag: "Leave out models with a price more than 10x from its family's median at other providers",
};

/** Whether the model has any known price (tokens, request, image or a price beyond tokens). */
export function isPriced(model) {
  const p = model.pricing;
  if (!p) return false;
  return p.image_prices.length > 0 || Object.entries(p).some(([key, value]) => key !== "tiers" && key !== "image_prices"
    && value != null);
}

/** A $0 offer (input known and zero, output zero or not charged): usually rate-limited, or a placeholder. */
export function isFree(model) {
  const p = model.pricing;
  if (!p || p.input_per_mtok == null || p.input_per_mtok.m !== 0n) return false;
  return p.output_per_mtok == null || p.output_per_mtok.m === 0n;
}

export function isFlagged(model) {
  return Object.keys(model.flags).length > 0;
}

/** 1 for a variant, a $0 or a flagged offer (sorted after the paid regular ones by price), else 0. */
export function untrusted(model) {
  return model.variant || isFree(model) || isFlagged(model) ? 1 : 0;
}

/** Filter predicates for the switches that are on. */
export function trustChecks(state) {
  const checks = [];
  if (state.priced === "1") checks.push(isPriced);
  if (state.novar === "1") checks.push((m) => !m.variant && !isFree(m));
  if (state.noflag === "1") checks.push((m) => !isFlagged(m));
  return checks;
}
