// GOV.UK's timeout-warning pattern. Before an idle session ends, a dialog says so and offers
// "Stay signed in". If nobody answers, what was typed into the page's forms is kept in this
// tab (sessionStorage) and the page goes to sign in; after signing in again and coming back to
// the same page, the entries are put back and a notice says so. Passwords, files and the
// form's security token are never kept.
const DRAFT = "pathway-draft:";
const SKIP = new Set(["csrf_token", "password", "current_password", "new_password", "code"]);

function fields(form) {
  return [...form.elements].filter((el) => el.name && !SKIP.has(el.name) && el.type !== "file"
    && el.type !== "password" && el.type !== "hidden" && el.type !== "submit" && el.type !== "button");
}

function keepDrafts() {
  const forms = [...document.querySelectorAll("main form[method=post]")];
  const saved = forms.map((form) => fields(form).map((el) => (
    el.type === "checkbox" || el.type === "radio" ? [el.name, el.value, el.checked] : [el.name, el.value]
  )));
  if (saved.some((form) => form.length)) {
    sessionStorage.setItem(DRAFT + location.pathname + location.search, JSON.stringify(saved));
  }
}

function restoreDrafts() {
  const key = DRAFT + location.pathname + location.search;
  const stored = sessionStorage.getItem(key);
  if (!stored) return;
  sessionStorage.removeItem(key);
  const forms = [...document.querySelectorAll("main form[method=post]")];
  JSON.parse(stored).forEach((values, index) => {
    const form = forms[index];
    if (!form) return;
    const inputs = fields(form);
    values.forEach(([name, value, checked]) => {
      const matches = inputs.filter((el) => el.name === name);
      if (checked === undefined) {
        const el = matches.find((candidate) => !candidate.dataset.restored);
        if (el) { el.value = value; el.dataset.restored = "1"; }
      } else {
        matches.filter((el) => el.value === value).forEach((el) => { el.checked = checked; });
      }
    });
  });
  const main = document.querySelector("main");
  const notice = document.createElement("div");
  notice.className = "govuk-inset-text";
  notice.setAttribute("role", "status");
  notice.textContent = "We kept what you had typed before you were signed out. Check it, then carry on.";
  main.prepend(notice);
}

function startTimer(dialog) {
  const idle = Number(dialog.dataset.idleSeconds);
  // The server counts from its last note of this device, which may be up to a minute old.
  const warnAt = Math.max(idle - 180, idle / 2) * 1000;
  const endAt = Math.max(idle - 70, idle * 0.9) * 1000;
  // However active, the session ends a set time after signing in (12 hours for staff): warn
  // before that too, and "Stay signed in" cannot move it.
  const endsIn = Number(dialog.dataset.endsInSeconds || 0) * 1000;
  const hardEnd = endsIn ? Date.now() + endsIn - 10000 : Infinity;
  const countdown = dialog.querySelector("[data-countdown]");
  const announce = document.getElementById("timeout-announce");
  let started = Date.now();
  let ticker;

  const signOut = async () => {
    clearInterval(ticker);
    keepDrafts();
    const body = new FormData();
    body.append("csrf_token", dialog.dataset.csrf);
    body.append("reason", "idle");
    try {
      await fetch(dialog.dataset.signOut, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
    } catch (error) { /* signed out by the server already */ }
    const next = location.pathname + location.search;
    location.assign(`${dialog.dataset.signIn}?next=${encodeURIComponent(next)}`);
  };
  const tick = () => {
    const left = Math.max(0, Math.round((Math.min(started + endAt, hardEnd) - Date.now()) / 1000));
    if (left <= 0) { signOut(); return; }
    const words = left >= 60 ? `${Math.ceil(left / 60)} minute${Math.ceil(left / 60) === 1 ? "" : "s"}`
      : `${left} seconds`;
    if (countdown.textContent !== words) countdown.textContent = words;
  };
  const warn = () => {
    tick();
    dialog.showModal();
    announce.textContent = `You will be signed out in ${countdown.textContent} if you do nothing.`;
    ticker = setInterval(tick, 1000);
  };
  const warnIn = () => Math.max(0, Math.min(started + warnAt, hardEnd - 180000) - Date.now());
  let warning = setTimeout(warn, warnIn());

  dialog.querySelector("[data-stay]").addEventListener("click", async () => {
    const body = new FormData();
    body.append("csrf_token", dialog.dataset.csrf);
    const response = await fetch(dialog.dataset.keepAlive, { method: "POST", body, credentials: "same-origin" });
    if (!response.ok) { signOut(); return; }
    clearInterval(ticker);
    dialog.close();
    announce.textContent = "You are still signed in.";
    started = Date.now();
    clearTimeout(warning);
    if (Date.now() < hardEnd - 180000) warning = setTimeout(warn, warnIn());
    else ticker = setInterval(tick, 1000);
  });
  // Escape closes a dialog; here it means "stay signed in", as the pattern asks.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    dialog.querySelector("[data-stay]").click();
  });
}

restoreDrafts();
const dialog = document.getElementById("timeout-warning");
if (dialog && typeof dialog.showModal === "function") startTimer(dialog);
