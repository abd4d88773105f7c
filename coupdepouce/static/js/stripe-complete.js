/* "Finish a payment" page (payments/_stripe_complete.html): confirm with the backer's bank a
   payment Stripe could not take off-session. Everything it needs is in the box's data-
   attributes (no inline script: the Content-Security-Policy forbids them on public pages):
   data-key (publishable key), data-secret (PaymentIntent client secret), data-method
   (saved payment method), data-return (where to go once confirmed). */
(function () {
    "use strict";
    var box = document.querySelector("[data-stripe-complete]");
    if (!box || !window.Stripe) { return; }
    var stripe = window.Stripe(box.dataset.key);
    box.querySelector("[data-stripe-pay]").addEventListener("click", function () {
        stripe.confirmCardPayment(box.dataset.secret, {payment_method: box.dataset.method}).then(function (result) {
            if (result.error) { box.querySelector("[data-stripe-error]").textContent = result.error.message; }
            else { window.location.href = box.dataset.return; }
        });
    });
}());
