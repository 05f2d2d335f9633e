/** Price of `GET /api/echo/fix/:text`, in token base units (µRaiden's fixed-price echo example). */
export const ECHO_FIX_PRICE = 5n;
