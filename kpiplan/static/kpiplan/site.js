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
});
