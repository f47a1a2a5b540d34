/* Checks the editor makes before saving a closure, beside the field, in Indonesian.
 *
 * One announcement form serves plain announcements and closures, so Decap itself
 * must not require the closure's fields (an empty closure block is a plain
 * announcement). Each closure field uses a `portal-closure-<widget>` widget: Decap's
 * own widget (select, datetime, number, text) with one more check, made once the
 * block is in use (offices or first day chosen): the fields marked
 * `closure_required` in config.yml must be filled, exactly one of days and last
 * day, and the last day not before the first nor more than a year after it.
 * The checker (`portal check`) applies the same rules again and stays the authority.
 */

import { MESSAGES } from "./messages.js";

const BASES = ["select", "datetime", "number", "text", "string"];

function plain(value) {
  return value && typeof value.toJS === "function" ? value.toJS() : value;
}

export function filled(value) {
  const v = plain(value);
  return !(v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length));
}

/** A closure block is in use once an office or the first day is chosen. */
export function isClosure(closure) {
  return !!closure && (filled(closure.offices) || filled(closure.first_day));
}

function closureOf(props) {
  const entry = props.getEntry ? props.getEntry() : props.entry;
  return plain(entry && entry.getIn(["data", "closure"])) || {};
}

function dayNumber(iso) {
  return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86400000;
}

/** The rules spanning the closure's fields, for `field` ("days" or "last_day"). */
export function closureProblem(closure, field, maxDays) {
  if (!isClosure(closure)) return null;
  const hasDays = filled(closure.days);
  const hasLast = filled(closure.last_day);
  if (field === "days") {
    if (hasDays && hasLast) return MESSAGES.oneOfBoth;
    if (!hasDays && !hasLast) return MESSAGES.oneOfNeither;
    return null;
  }
  if (field !== "last_day" || !hasLast || !filled(closure.first_day)) return null;
  const span = dayNumber(closure.last_day) - dayNumber(closure.first_day) + 1;
  if (span < 1) return MESSAGES.lastBeforeFirst;
  if (span > maxDays) return MESSAGES.tooLong.replace("%{max}", maxDays);
  return null;
}

function withClosureChecks(Control, maxDays) {
  return class extends Control {
    constructor(props) {
      super(props);
      const own = this.isValid;
      this.isValid = () => {
        const result = own ? own.call(this) : true;
        if (result === false || (result && result.error)) return result;
        const closure = closureOf(this.props);
        if (!isClosure(closure)) return true;
        const { field } = this.props;
        let message = null;
        if (field.get("closure_required") && !filled(this.props.value)) {
          message = MESSAGES.requiredInClosure.replace("%{label}", field.get("label"));
        } else {
          message = closureProblem(closure, field.get("name"), maxDays);
        }
        // PRESENCE, not CUSTOM: Decap then also shows its "fix the fields marked red" notice
        // (ui.toast.missingRequiredField), which it shows for presence errors only.
        return message ? { error: { type: "PRESENCE", message } } : true;
      };
    }
  };
}

export function registerWidgets(CMS, data) {
  for (const base of BASES) {
    const widget = CMS.getWidget(base);
    CMS.registerWidget(`portal-closure-${base}`, withClosureChecks(widget.control, data.max_days),
      widget.preview, widget.schema);
  }
}
