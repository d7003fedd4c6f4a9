// The pages' one script (a static file: the Content-Security-Policy allows no inline script). Everything works
// without it; with it:
// - destructive buttons ask first: a form with data-confirm="question" is submitted only when the visitor agrees
//   (the server-side confirmation steps apply either way);
// - the language menu switches on choosing, so its Switch button is hidden (room in a phone's header).
document.documentElement.classList.add("js");
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  if (event.target && event.target.id === "lang" && event.target.form) {
    event.target.form.submit();
  }
});
