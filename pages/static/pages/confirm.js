// Destructive buttons ask first: a form with data-confirm="question" is submitted only when the visitor agrees.
// (A static file: the Content-Security-Policy allows no inline script. Without JavaScript the server-side
// confirmation steps still apply.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
