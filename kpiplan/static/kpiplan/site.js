// The pages' few behaviours, as a file: the Content-Security-Policy refuses inline
// scripts and on…= attributes.
document.addEventListener("DOMContentLoaded", () => {
  // <select data-autosubmit>: choosing an option submits its form.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // <input type=checkbox data-check-all="SELECTOR">: ticks or clears every box it names.
  document.querySelectorAll("input[data-check-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(box.dataset.checkAll).forEach((other) => { other.checked = box.checked; });
    });
  });
  // The header's menu (<details class="menu">) is a disclosure on a phone only: on a wide
  // screen it starts open, for browsers whose CSS cannot show a closed one's links.
  const menu = document.querySelector("header details.menu");
  if (menu && window.matchMedia("(min-width: 601px)").matches) {
    menu.open = true;
  }
  // <details data-open-wide>: context beside a form (the entry page), open on a wide
  // screen where it sits beside the form, a closed disclosure below it on a phone.
  if (window.matchMedia("(min-width: 901px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((details) => { details.open = true; });
  }
  // <button data-copy-from="ID" data-copy-to="ID" data-confirm="…">: puts the text of one
  // element into a text box (last period's narrative), asking before it replaces typed text.
  document.querySelectorAll("button[data-copy-from]").forEach((button) => {
    button.addEventListener("click", () => {
      const from = document.getElementById(button.dataset.copyFrom);
      const to = document.getElementById(button.dataset.copyTo);
      if (!from || !to) return;
      if (to.value.trim() && !window.confirm(button.dataset.confirm || "")) return;
      to.value = from.textContent.trim();
      to.focus();
    });
  });
});
