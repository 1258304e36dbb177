// Generated from openapi.json by scripts/generate-types.mjs (npm runs it before a build or test).

export interface paths {
    "/api/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Accounts
         * @description The accounts the caller may read (secrets masked).
         */
        get: operations["accounts_api_v1_accounts_get"];
        put?: never;
        /**
         * Activate
         * @description Activate an account (admins): 422 with the plugin's message on bad settings, 409 if the name is taken
         *     (unless ``replace``). Missing secret settings are refused, never prompted for.
         */
        post: operations["activate_api_v1_accounts_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Account */
        get: operations["account_api_v1_accounts__account__get"];
        put?: never;
        post?: never;
        /**
         * Deactivate
         * @description Forget an account and its stored session (admins).
         */
        delete: operations["deactivate_api_v1_accounts__account__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/basket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Place Basket
         * @description Place a list of orders: every leg validated (a bad one named by its number, from 1), and the basket's
         *     margin checked against the funds where the broker offers basket margins, before the first is sent.
         */
        post: operations["place_basket_api_v1_accounts__account__basket_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/basket-margin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Basket Margin
         * @description What a basket would block as a whole (less than the sum of its legs when they hedge each other). A
         *     read, like ``margins``.
         */
        post: operations["basket_margin_api_v1_accounts__account__basket_margin_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/cancel-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel All
         * @description Cancel every open order (of ``symbol``); one result per order.
         */
        post: operations["cancel_all_api_v1_accounts__account__cancel_all_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/candles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Candles
         * @description OHLC candles from ``from`` to ``to``, oldest first; a long range is fetched in pages.
         */
        get: operations["candles_api_v1_accounts__account__candles_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/chain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Chain
         * @description The option chain around the spot: per strike, call and put with last price, bid/ask, OI, implied
         *     volatility and greeks.
         */
        get: operations["chain_api_v1_accounts__account__chain_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Clients
         * @description The client codes a dealer login may act for.
         */
        get: operations["clients_api_v1_accounts__account__clients_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/convert": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Convert Position
         * @description Move ``quantity`` of a position from one product to another; the symbol's positions afterwards.
         */
        post: operations["convert_position_api_v1_accounts__account__convert_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/depth": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Depth
         * @description The order book's best levels on both sides (five on most brokers).
         */
        get: operations["depth_api_v1_accounts__account__depth_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/exit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exit Positions
         * @description Flatten net positions, each after cancelling that symbol's open orders (unless ``keep_orders``): at
         *     market, or as LIMIT orders ``limit_offset`` through the last price. One result per position (per
         *     child when an exit is sliced). A halted account still exits.
         */
        post: operations["exit_positions_api_v1_accounts__account__exit_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/expiries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Expiries
         * @description The expiry dates of an underlying's futures and options, nearest first.
         */
        get: operations["expiries_api_v1_accounts__account__expiries_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/funds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Funds */
        get: operations["funds_api_v1_accounts__account__funds_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/gtt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Gtts
         * @description The account's GTT triggers, active and finished.
         */
        get: operations["gtts_api_v1_accounts__account__gtt_get"];
        put?: never;
        /**
         * Place Gtt
         * @description Create a trigger: it places its LIMIT order(s) when the last price crosses a trigger price. Prices
         *     and quantities are checked against the instrument first.
         */
        post: operations["place_gtt_api_v1_accounts__account__gtt_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/gtt/{gtt_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Gtt */
        get: operations["gtt_api_v1_accounts__account__gtt__gtt_id__get"];
        put?: never;
        post?: never;
        /** Delete Gtt */
        delete: operations["delete_gtt_api_v1_accounts__account__gtt__gtt_id__delete"];
        options?: never;
        head?: never;
        /**
         * Modify Gtt
         * @description Change a trigger's prices or orders; the trigger as it stands afterwards.
         */
        patch: operations["modify_gtt_api_v1_accounts__account__gtt__gtt_id__patch"];
        trace?: never;
    };
    "/api/v1/accounts/{account}/halt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Halt
         * @description The kill switch: every new order of the account is refused until ``resume``; exits still pass. With
         *     ``exit_all``, every open order is cancelled and every position exited (one result each). The halt
         *     stands even when cancelling or exiting fails: that failure is a leg of the answer, not its error.
         */
        post: operations["halt_api_v1_accounts__account__halt_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/holdings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Holdings */
        get: operations["holdings_api_v1_accounts__account__holdings_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/instruments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Instruments
         * @description The listed instruments matching ``q``, best first (exact symbol, prefix, word, substring, misspelling).
         */
        get: operations["instruments_api_v1_accounts__account__instruments_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Limits
         * @description The account's limits (checked before every new order) and its halt, if any.
         */
        get: operations["limits_api_v1_accounts__account__limits_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Login
         * @description Log the account in with ``params`` (XTS: none) and answer its profile. A redirect login (Kite) without
         *     a ``request_token`` answers ``login_url`` instead: the broker sends the browser back to ``callback_url``
         *     (set the account's redirect_url, and the broker app's, to it), where the server finishes the login.
         */
        post: operations["login_api_v1_accounts__account__login_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/login/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Login Callback
         * @description Where the broker sends the browser after a redirect login (public: the redirect carries no API key;
         *     only the ``state`` this server sealed for this account's login, once and before it expires, is taken).
         */
        get: operations["login_callback_api_v1_accounts__account__login_callback_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/margins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Margins
         * @description The margin each order would block, and its charges where the broker says. A read: nothing is placed,
         *     and a viewer may ask (POST only because the orders are a body).
         */
        post: operations["margins_api_v1_accounts__account__margins_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/operations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operation Modes
         * @description Every trader operation → ``native``, ``emulated`` or ``unsupported`` at this account's broker.
         */
        get: operations["operation_modes_api_v1_accounts__account__operations_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Orders
         * @description The order book, oldest first; ``status`` (open, complete, rejected, cancelled) and ``symbol`` narrow it.
         */
        get: operations["orders_api_v1_accounts__account__orders_get"];
        put?: never;
        /**
         * Place Order
         * @description Validate, journal, send once. Without a ``client_order_id`` one is made (the reply names it): sending
         *     the same one again is refused, never a second order.
         */
        post: operations["place_order_api_v1_accounts__account__orders_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/orders/{order_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Order
         * @description The order as it stands now (the last state of its history).
         */
        get: operations["order_api_v1_accounts__account__orders__order_id__get"];
        put?: never;
        post?: never;
        /** Cancel Order */
        delete: operations["cancel_order_api_v1_accounts__account__orders__order_id__delete"];
        options?: never;
        head?: never;
        /**
         * Modify Order
         * @description Change exactly what the body sets (quantity, price, trigger_price, order_type, validity).
         */
        patch: operations["modify_order_api_v1_accounts__account__orders__order_id__patch"];
        trace?: never;
    };
    "/api/v1/accounts/{account}/orders/{order_id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Order History
         * @description The states of one order, oldest first.
         */
        get: operations["order_history_api_v1_accounts__account__orders__order_id__history_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/pnl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pnl
         * @description Realised, unrealised and day P&L per position and in total.
         */
        get: operations["pnl_api_v1_accounts__account__pnl_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/positions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Positions */
        get: operations["positions_api_v1_accounts__account__positions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Profile */
        get: operations["profile_api_v1_accounts__account__profile_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/quotes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Quotes
         * @description Quotes with depth, by symbol; a symbol the broker does not list is absent (none listed: 422).
         */
        get: operations["quotes_api_v1_accounts__account__quotes_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/reconcile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reconcile
         * @description Resolve orders whose outcome was unknown (and ones a crash left unsent), by their client order ids.
         */
        post: operations["reconcile_api_v1_accounts__account__reconcile_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume
         * @description Lift the halt: new orders are accepted again.
         */
        post: operations["resume_api_v1_accounts__account__resume_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/slice": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Place Sliced
         * @description Place an order above the freeze quantity as freeze-sized children, one after the other (a child that
         *     fails stops the rest, reported as skipped); natively where the broker slices it itself.
         */
        post: operations["place_sliced_api_v1_accounts__account__slice_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/target": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Target Position
         * @description Buy or sell what takes the net position in ``symbol`` to ``quantity``, counting open orders as if
         *     filled; two calls at once for one symbol never overshoot.
         */
        post: operations["target_position_api_v1_accounts__account__target_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/trades": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Trades
         * @description Today's trades, oldest first.
         */
        get: operations["trades_api_v1_accounts__account__trades_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{account}/unresolved-orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Unresolved Orders
         * @description The journal's orders whose outcome is not known yet: ``POST …/reconcile`` settles them.
         */
        get: operations["unresolved_orders_api_v1_accounts__account__unresolved_orders_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit Log
         * @description The audit log, newest first: who did what, when, from where, and how it ended.
         */
        get: operations["audit_log_api_v1_audit_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/brokers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Brokers
         * @description Every installed broker: as ``brokerplex brokers --json`` lists it, with its settings' schema
         *     (``secret`` settings are write-only: never returned once stored).
         */
        get: operations["brokers_api_v1_brokers_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/fan-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fan Out
         * @description Place ``order`` in every one of ``accounts``, or (with ``clients``) for every client code of the one
         *     dealer account named; each gets its own client order id. One target's failure hides no other: each item
         *     carries its acknowledgement or its error (and the status that error alone would have had).
         */
        post: operations["fan_out_api_v1_fan_out_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pnl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pnl Across
         * @description The P&L of several accounts and their total. Naming an account the caller may not read is a 403;
         *     an account that cannot be read is listed under ``failures`` (if it is the only one named, its error
         *     is the answer).
         */
        get: operations["pnl_across_api_v1_pnl_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who Am I
         * @description Who is asking; a signed-in browser gets its CSRF token again (after a reload, say).
         */
        get: operations["who_am_i_api_v1_session_get"];
        put?: never;
        /**
         * Sign In
         * @description Sign in with a user name and password: sets the session cookie; returns the CSRF token.
         */
        post: operations["sign_in_api_v1_session_post"];
        /**
         * Sign Out
         * @description Sign out: the session ends here (the CSRF token is needed, as for every change).
         */
        delete: operations["sign_out_api_v1_session_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Users
         * @description Every user with their role, accounts and API keys (prefixes, never a key or a hash).
         */
        get: operations["list_users_api_v1_users_get"];
        put?: never;
        /**
         * Add User
         * @description Add a user with a password, a role and (traders, viewers) the accounts granted.
         */
        post: operations["add_user_api_v1_users_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove User
         * @description Remove a user, their API keys and sessions (not yourself: another admin must).
         */
        delete: operations["remove_user_api_v1_users__name__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{name}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add Key
         * @description A new API key for the user: in this answer only.
         */
        post: operations["add_key_api_v1_users__name__keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{name}/keys/{prefix}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke Key
         * @description Revoke one of the user's API keys.
         */
        delete: operations["revoke_key_api_v1_users__name__keys__prefix__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** AccountFailure */
        AccountFailure: {
            /** Account */
            account: string;
            error: components["schemas"]["ErrorDetail"];
            /** Status */
            status: number;
        };
        /**
         * AccountInfo
         * @description An account as listed: its broker and settings with secrets masked, or why it cannot be used; whether
         *     its stored session may be used and until when (Kite: 06:00 IST; XTS: the IST day's end; paper: always).
         */
        AccountInfo: {
            /** Account */
            account: string;
            /** Broker */
            broker: string;
            /** Problem */
            problem?: string | null;
            /** @description null when it cannot be told (see problem) */
            session?: components["schemas"]["SessionState"] | null;
            /** Settings */
            settings?: {
                [key: string]: unknown;
            } | null;
        };
        /** AccountLimits */
        AccountLimits: {
            /** Allowed Products */
            allowed_products?: components["schemas"]["Product"][] | null;
            /** Daily Loss Stop */
            daily_loss_stop?: string | null;
            /** Max Order Value */
            max_order_value?: string | null;
            /**
             * Max Quantity
             * @default {}
             */
            max_quantity: {
                [key: string]: number;
            };
        };
        /** AuditEntry */
        AuditEntry: {
            /** Account */
            account: string | null;
            /** Action */
            action: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Detail */
            detail: {
                [key: string]: unknown;
            } | null;
            /** Id */
            id: number;
            /** Outcome */
            outcome: string;
            /** Source */
            source: string | null;
            /** Target */
            target: string | null;
            /** User */
            user: string | null;
        };
        /**
         * BasketMargin
         * @description A basket's margin: ``initial`` is the sum of its legs, ``final`` what the broker blocks for the
         *     whole basket (less when the legs hedge each other).
         */
        BasketMargin: {
            /** Charges */
            charges?: string | null;
            /** Final */
            final: string;
            /** Initial */
            initial: string;
            /** Legs */
            legs?: components["schemas"]["Margin"][];
        };
        /** BasketResult */
        BasketResult: {
            /** Legs */
            legs: components["schemas"]["LegResult"][];
            margin?: components["schemas"]["BasketMargin"] | null;
        };
        /** Candle */
        Candle: {
            /** At */
            at: string;
            /** Close */
            close: string;
            /** High */
            high: string;
            /** Low */
            low: string;
            /** Open */
            open: string;
            /** Open Interest */
            open_interest?: number | null;
            /**
             * Volume
             * @default 0
             */
            volume: number;
        };
        /** ChainRow */
        ChainRow: {
            call?: components["schemas"]["OptionQuote"] | null;
            put?: components["schemas"]["OptionQuote"] | null;
            /** Strike */
            strike: string;
        };
        /** ConvertRequest */
        ConvertRequest: {
            from_product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            /** Symbol */
            symbol: string;
            to_product: components["schemas"]["Product"];
        };
        /** Depth */
        Depth: {
            /**
             * Asks
             * @default []
             */
            asks: components["schemas"]["DepthLevel"][];
            /**
             * Bids
             * @default []
             */
            bids: components["schemas"]["DepthLevel"][];
        };
        /** DepthLevel */
        DepthLevel: {
            /**
             * Orders
             * @default 0
             */
            orders: number;
            /** Price */
            price: string;
            /** Quantity */
            quantity: number;
        };
        /** ErrorDetail */
        ErrorDetail: {
            /** Broker Code */
            broker_code?: string | null;
            /** Message */
            message: string;
            /**
             * Outcome Known
             * @default true
             */
            outcome_known: boolean;
            /** Type */
            type: string;
        };
        /**
         * Exchange
         * @enum {string}
         */
        Exchange: "NSE" | "BSE" | "NFO" | "BFO" | "CDS" | "BCD" | "MCX";
        /**
         * ExitRequest
         * @description Which net positions to flatten: ``symbols``, or ``all`` of them (one or the other).
         */
        ExitRequest: {
            /**
             * All
             * @default false
             */
            all: boolean;
            /**
             * Keep Orders
             * @description Do not cancel the symbols' open orders first.
             * @default false
             */
            keep_orders: boolean;
            /**
             * Limit Offset
             * @description Exit with LIMIT orders this far through the last price (default: at market).
             */
            limit_offset?: number | string | null;
            product?: components["schemas"]["Product"] | null;
            /** Symbols */
            symbols?: string[] | null;
        };
        /**
         * FanOutItem
         * @description One target's outcome: the broker's acknowledgement, or the error (as the API reports errors).
         */
        FanOutItem: {
            /** Account */
            account: string;
            ack?: components["schemas"]["OrderAck"] | null;
            /** Client */
            client?: string | null;
            error?: components["schemas"]["ErrorDetail"] | null;
            /**
             * Status
             * @default 200
             */
            status: number;
        };
        /**
         * FanOutRequest
         * @description One order to several accounts, or (``clients``) to several client codes of one dealer account. Each
         *     order gets its own client order id: do not set one.
         */
        FanOutRequest: {
            /** Accounts */
            accounts: string[];
            /** Clients */
            clients?: string[] | null;
            order: components["schemas"]["OrderRequest-Input"];
        };
        /**
         * Funds
         * @description Equity-segment funds. ``available_margin`` is what a new order may use.
         */
        Funds: {
            /** Available Margin */
            available_margin: string;
            /** Cash */
            cash: string;
            /**
             * Realised Pnl
             * @default 0.00
             */
            realised_pnl: string;
            /**
             * Unrealised Pnl
             * @default 0.00
             */
            unrealised_pnl: string;
            /** Used Margin */
            used_margin: string;
        };
        /** Gtt */
        Gtt: {
            /** Created At */
            created_at?: string | null;
            /** Expires At */
            expires_at?: string | null;
            /** Gtt Id */
            gtt_id: string;
            /** Last Price */
            last_price: string;
            /** Orders */
            orders: components["schemas"]["GttOrder-Output"][];
            status: components["schemas"]["GttStatus"];
            /** Symbol */
            symbol: string;
            /** Trigger Prices */
            trigger_prices: string[];
            /** Triggered Order Ids */
            triggered_order_ids?: string[];
            type: components["schemas"]["GttType"];
            /** Updated At */
            updated_at?: string | null;
        };
        /**
         * GttChanges
         * @description What to change of a GTT; what is not given stays. ``trigger_prices`` and ``orders`` replace all of
         *     theirs (one of each: a single trigger; two: a two-leg OCO, lower then upper). ``last_price`` defaults
         *     to a fresh quote.
         */
        GttChanges: {
            /** Last Price */
            last_price?: number | string | null;
            /** Orders */
            orders?: components["schemas"]["GttOrder-Input"][] | null;
            /** Trigger Prices */
            trigger_prices?: (number | string)[] | null;
        };
        /**
         * GttOrder
         * @description The LIMIT order a trigger places (Kite's GTT places LIMIT orders only).
         */
        "GttOrder-Input": {
            /** Price */
            price: number | string;
            /** @default CNC */
            product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
        };
        /**
         * GttOrder
         * @description The LIMIT order a trigger places (Kite's GTT places LIMIT orders only).
         */
        "GttOrder-Output": {
            /** Price */
            price: string;
            /** @default CNC */
            product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
        };
        /**
         * GttRequest
         * @description A good-till-triggered order as Kite defines it: ``single`` has one trigger price and one order;
         *     ``two-leg`` (OCO) has a lower and an upper trigger, and one order for each, in that order.
         */
        GttRequest: {
            /** Last Price */
            last_price: number | string;
            /** Orders */
            orders: components["schemas"]["GttOrder-Input"][];
            /** Symbol */
            symbol: string;
            /** Trigger Prices */
            trigger_prices: (number | string)[];
            /** @default single */
            type: components["schemas"]["GttType"];
        };
        /**
         * GttStatus
         * @enum {string}
         */
        GttStatus: "active" | "triggered" | "disabled" | "expired" | "cancelled" | "rejected" | "deleted";
        /**
         * GttType
         * @enum {string}
         */
        GttType: "single" | "two-leg";
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** Halt */
        Halt: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Reason */
            reason: string;
        };
        /** HaltRequest */
        HaltRequest: {
            /**
             * Exit All
             * @description Also cancel every open order and exit every position.
             * @default false
             */
            exit_all: boolean;
            /**
             * Reason
             * @description Why (shown when an order is refused).
             * @default halted by hand
             */
            reason: string;
        };
        /** HaltResult */
        HaltResult: {
            /** Account */
            account: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Legs */
            legs?: components["schemas"]["LegResult"][];
            /** Reason */
            reason: string;
        };
        /** Holding */
        Holding: {
            /** Average Price */
            average_price: string;
            /** Client Code */
            client_code?: string | null;
            /** Isin */
            isin?: string | null;
            /** Last Price */
            last_price: string;
            /** Quantity */
            quantity: number;
            /** Symbol */
            symbol: string;
            /**
             * T1 Quantity
             * @default 0
             */
            t1_quantity: number;
        };
        /**
         * Instrument
         * @description A listed contract. ``exchange_token`` is the exchange's own numeric id.
         */
        Instrument: {
            exchange: components["schemas"]["Exchange"];
            /** Exchange Token */
            exchange_token?: number | null;
            /** Expiry */
            expiry?: string | null;
            /** Freeze Quantity */
            freeze_quantity?: number | null;
            instrument_type: components["schemas"]["InstrumentType"];
            /** Isin */
            isin?: string | null;
            /**
             * Lot Size
             * @default 1
             */
            lot_size: number;
            /**
             * Multiplier
             * @default 1
             */
            multiplier: string;
            /**
             * Name
             * @default
             */
            name: string;
            /** Strike */
            strike?: string | null;
            /** Symbol */
            symbol: string;
            /**
             * Tick Size
             * @default 0.05
             */
            tick_size: string;
            /** Tradingsymbol */
            tradingsymbol: string;
            /** Underlying */
            underlying?: string | null;
        };
        /**
         * InstrumentType
         * @enum {string}
         */
        InstrumentType: "EQ" | "INDEX" | "FUT" | "CE" | "PE";
        /**
         * KeyView
         * @description An API key as lists show it: never the key, never its hash.
         */
        KeyView: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Last Used At */
            last_used_at: string | null;
            /** Prefix */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
            scope: components["schemas"]["Scope"];
        };
        /**
         * LegOutcome
         * @enum {string}
         */
        LegOutcome: "done" | "dry_run" | "refused" | "failed" | "unknown" | "skipped";
        /**
         * LegResult
         * @description One leg of an operation that sends several orders (an exit, a basket, a sliced order, a
         *     cancel-all): what it was, and what became of it.
         */
        LegResult: {
            /** Cancelled */
            cancelled?: string[];
            /** Client Code */
            client_code?: string | null;
            /** Client Order Id */
            client_order_id?: string | null;
            /** Message */
            message?: string | null;
            /** Order Id */
            order_id?: string | null;
            outcome: components["schemas"]["LegOutcome"];
            /** Quantity */
            quantity?: number | null;
            request?: components["schemas"]["OrderRequest-Output"] | null;
            side?: components["schemas"]["Side"] | null;
            /** Symbol */
            symbol: string;
        };
        /** LimitsView */
        LimitsView: {
            halted: components["schemas"]["Halt"] | null;
            limits: components["schemas"]["AccountLimits"] | null;
        };
        /**
         * LoginRequest
         * @description ``POST /accounts/{account}/login``: what the broker's login takes (as ``brokerplex login -o``); none for
         *     XTS. Kite without a ``request_token`` answers its login URL instead (the server takes the redirect).
         */
        LoginRequest: {
            /**
             * Params
             * @default {}
             */
            params: {
                [key: string]: string;
            };
            /**
             * Return To
             * @description A redirect login only: a path of this site the browser is sent back to once the server has taken the broker's redirect, with login=ok or login=failed (and error=TYPE) and account=NAME added to its query (the console's own page); without it the callback answers the profile
             */
            return_to?: string | null;
        };
        /**
         * LoginStarted
         * @description A redirect login begun: open ``login_url`` in a browser; the broker redirects to ``callback_url`` (the
         *     account's redirect URL must be it), where the server finishes the login.
         */
        LoginStarted: {
            /** Callback Url */
            callback_url: string;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /** Login Url */
            login_url: string;
        };
        /** MadeKey */
        MadeKey: {
            /**
             * Key
             * @description Shown this once: only its hash is kept
             */
            key: string;
            /** Prefix */
            prefix: string;
            scope: components["schemas"]["Scope"];
        };
        /**
         * Margin
         * @description What one order would block, as the broker (or paper) computes it before it is placed.
         */
        Margin: {
            /** Breakdown */
            breakdown?: {
                [key: string]: string;
            };
            /** Charges */
            charges?: string | null;
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
            /** Symbol */
            symbol: string;
            /** Total */
            total: string;
        };
        /**
         * NewAccount
         * @description ``POST /accounts``: validated by the broker plugin's settings model; secret settings are write-only.
         */
        NewAccount: {
            /** Broker */
            broker: string;
            /** Name */
            name: string;
            /**
             * Replace
             * @default false
             */
            replace: boolean;
            /**
             * Settings
             * @default {}
             */
            settings: {
                [key: string]: string | number | boolean;
            };
        };
        /** NewKey */
        NewKey: {
            /** @default trade */
            scope: components["schemas"]["Scope"];
        };
        /** NewUser */
        NewUser: {
            /**
             * Accounts
             * @description The accounts granted (not for admins)
             */
            accounts?: string[];
            /** Name */
            name: string;
            /**
             * Password
             * Format: password
             */
            password: string;
            role: components["schemas"]["Role"];
        };
        /** OptionChain */
        OptionChain: {
            /**
             * Expiry
             * Format: date
             */
            expiry: string;
            /** Quote Calls */
            quote_calls: number;
            /** Rows */
            rows: components["schemas"]["ChainRow"][];
            /** Spot */
            spot: string | null;
            /** Spot Symbol */
            spot_symbol: string;
            /** Underlying */
            underlying: string;
        };
        /** OptionQuote */
        OptionQuote: {
            /** Ask */
            ask?: string | null;
            /** Bid */
            bid?: string | null;
            /** Delta */
            delta?: string | null;
            /** Gamma */
            gamma?: string | null;
            /** Iv */
            iv?: string | null;
            /** Last Price */
            last_price?: string | null;
            /** Open Interest */
            open_interest?: number | null;
            /** Symbol */
            symbol: string;
            /** Theta */
            theta?: string | null;
            /** Vega */
            vega?: string | null;
            /**
             * Volume
             * @default 0
             */
            volume: number;
        };
        /** Order */
        Order: {
            /** Average Price */
            average_price?: string | null;
            /**
             * Cancelled Quantity
             * @default 0
             */
            cancelled_quantity: number;
            /** Client Code */
            client_code?: string | null;
            /** Client Order Id */
            client_order_id?: string | null;
            /**
             * Disclosed Quantity
             * @default 0
             */
            disclosed_quantity: number;
            /** Exchange Order Id */
            exchange_order_id?: string | null;
            /**
             * Filled Quantity
             * @default 0
             */
            filled_quantity: number;
            /** Order Id */
            order_id: string;
            order_type: components["schemas"]["OrderType"];
            /** Parent Order Id */
            parent_order_id?: string | null;
            /**
             * Pending Quantity
             * @default 0
             */
            pending_quantity: number;
            /** Placed At */
            placed_at: string;
            /** Price */
            price?: string | null;
            product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
            status: components["schemas"]["OrderStatus"];
            /** Status Message */
            status_message?: string | null;
            /** Symbol */
            symbol: string;
            /** Trigger Price */
            trigger_price?: string | null;
            /** Updated At */
            updated_at: string;
            /** @default DAY */
            validity: components["schemas"]["Validity"];
            /** @default regular */
            variety: components["schemas"]["Variety"];
        };
        /**
         * OrderAck
         * @description The broker's answer to a placement: its order id, and a status when it says one.
         */
        OrderAck: {
            /**
             * Children
             * @default []
             */
            children: components["schemas"]["OrderAck"][];
            /** Client Order Id */
            client_order_id?: string | null;
            /** Order Id */
            order_id: string;
            status?: components["schemas"]["OrderStatus"] | null;
            /** Status Message */
            status_message?: string | null;
        };
        /**
         * OrderModify
         * @description Changes to an open order; fields left as None stay as they are.
         */
        OrderModify: {
            order_type?: components["schemas"]["OrderType"] | null;
            /** Price */
            price?: (number | string) | null;
            /** Quantity */
            quantity?: number | null;
            /** Trigger Price */
            trigger_price?: (number | string) | null;
            validity?: components["schemas"]["Validity"] | null;
        };
        /**
         * OrderRequest
         * @description What a caller asks for. Construction validates everything that needs no broker.
         */
        "OrderRequest-Input": {
            /** Client Order Id */
            client_order_id?: string | null;
            /**
             * Disclosed Quantity
             * @default 0
             */
            disclosed_quantity: number;
            /** @default MARKET */
            order_type: components["schemas"]["OrderType"];
            /** Price */
            price?: (number | string) | null;
            product?: components["schemas"]["Product"] | null;
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
            /** Stop Loss */
            stop_loss?: (number | string) | null;
            /** Symbol */
            symbol: string;
            /** Target */
            target?: (number | string) | null;
            /** Trailing Stop Loss */
            trailing_stop_loss?: (number | string) | null;
            /** Trigger Price */
            trigger_price?: (number | string) | null;
            /** @default DAY */
            validity: components["schemas"]["Validity"];
            /** @default regular */
            variety: components["schemas"]["Variety"];
        };
        /**
         * OrderRequest
         * @description What a caller asks for. Construction validates everything that needs no broker.
         */
        "OrderRequest-Output": {
            /** Client Order Id */
            client_order_id?: string | null;
            /**
             * Disclosed Quantity
             * @default 0
             */
            disclosed_quantity: number;
            /** @default MARKET */
            order_type: components["schemas"]["OrderType"];
            /** Price */
            price?: string | null;
            product?: components["schemas"]["Product"] | null;
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
            /** Stop Loss */
            stop_loss?: string | null;
            /** Symbol */
            symbol: string;
            /** Target */
            target?: string | null;
            /** Trailing Stop Loss */
            trailing_stop_loss?: string | null;
            /** Trigger Price */
            trigger_price?: string | null;
            /** @default DAY */
            validity: components["schemas"]["Validity"];
            /** @default regular */
            variety: components["schemas"]["Variety"];
        };
        /**
         * OrderStatus
         * @enum {string}
         */
        OrderStatus: "PENDING" | "OPEN" | "TRIGGER PENDING" | "COMPLETE" | "CANCELLED" | "REJECTED";
        /**
         * OrderType
         * @enum {string}
         */
        OrderType: "MARKET" | "LIMIT" | "SL" | "SL-M";
        /** PnlLine */
        PnlLine: {
            /** Average Price */
            average_price: string;
            /** Client Code */
            client_code?: string | null;
            /** Day */
            day: string;
            /** Last Price */
            last_price: string;
            product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            /** Realised */
            realised: string;
            /** Symbol */
            symbol: string;
            /** Unrealised */
            unrealised: string;
        };
        /** PnlReport */
        PnlReport: {
            /** Failures */
            failures: components["schemas"]["AccountFailure"][];
            /** Summaries */
            summaries: components["schemas"]["PnlSummary"][];
            total: components["schemas"]["PnlTotal"];
        };
        /** PnlSummary */
        PnlSummary: {
            /** Account */
            account: string;
            /** Client Code */
            client_code?: string | null;
            /** Day */
            day: string;
            /** Lines */
            lines: components["schemas"]["PnlLine"][];
            /** Realised */
            realised: string;
            /** Unrealised */
            unrealised: string;
        };
        /** PnlTotal */
        PnlTotal: {
            /** Day */
            day: string;
            /** Net */
            net: string;
            /** Realised */
            realised: string;
            /** Unrealised */
            unrealised: string;
        };
        /** Position */
        Position: {
            /**
             * Average Price
             * @default 0.00
             */
            average_price: string;
            /**
             * Buy Quantity
             * @default 0
             */
            buy_quantity: number;
            /**
             * Buy Value
             * @default 0.00
             */
            buy_value: string;
            /** Client Code */
            client_code?: string | null;
            /**
             * Last Price
             * @default 0.00
             */
            last_price: string;
            /**
             * Multiplier
             * @default 1
             */
            multiplier: string;
            /**
             * Overnight Quantity
             * @default 0
             */
            overnight_quantity: number;
            product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            /**
             * Realised Pnl
             * @default 0.00
             */
            realised_pnl: string;
            /**
             * Sell Quantity
             * @default 0
             */
            sell_quantity: number;
            /**
             * Sell Value
             * @default 0.00
             */
            sell_value: string;
            /** Symbol */
            symbol: string;
            /**
             * Unrealised Pnl
             * @default 0.00
             */
            unrealised_pnl: string;
        };
        /**
         * Product
         * @enum {string}
         */
        Product: "CNC" | "MIS" | "NRML";
        /** Profile */
        Profile: {
            /** Broker */
            broker: string;
            /** Email */
            email?: string | null;
            /**
             * Exchanges
             * @default []
             */
            exchanges: components["schemas"]["Exchange"][];
            /**
             * Name
             * @default
             */
            name: string;
            /**
             * Products
             * @default []
             */
            products: components["schemas"]["Product"][];
            /** User Id */
            user_id: string;
        };
        /** Quote */
        Quote: {
            /** Average Price */
            average_price?: string | null;
            /** Close */
            close?: string | null;
            /**
             * @default {
             *       "asks": [],
             *       "bids": []
             *     }
             */
            depth: components["schemas"]["Depth"];
            /** High */
            high?: string | null;
            /** Last Price */
            last_price: string;
            /**
             * Last Quantity
             * @default 0
             */
            last_quantity: number;
            /** Last Traded At */
            last_traded_at?: string | null;
            /** Low */
            low?: string | null;
            /** Lower Circuit */
            lower_circuit?: string | null;
            /** Open */
            open?: string | null;
            /** Open Interest */
            open_interest?: number | null;
            /** Symbol */
            symbol: string;
            /** Timestamp */
            timestamp?: string | null;
            /** Upper Circuit */
            upper_circuit?: string | null;
            /**
             * Volume
             * @default 0
             */
            volume: number;
        };
        /** ReconciledOrder */
        ReconciledOrder: {
            /** Client Order Id */
            client_order_id: string;
            /** Now */
            now: string;
            /** Order Id */
            order_id?: string | null;
            /** Was */
            was: string;
        };
        /** ResumeResult */
        ResumeResult: {
            /** Account */
            account: string;
            /** Was Halted */
            was_halted: boolean;
        };
        /**
         * Role
         * @enum {string}
         */
        Role: "admin" | "trader" | "viewer";
        /**
         * Scope
         * @enum {string}
         */
        Scope: "read" | "trade";
        /**
         * SessionState
         * @description An account's stored session as read from the store, without asking the broker: ``live`` (until
         *     ``expires_at``, when it has a known end), ``expired`` (log in again) or ``none`` (never logged in).
         */
        SessionState: {
            /** Expires At */
            expires_at?: string | null;
            /**
             * State
             * @enum {string}
             */
            state: "live" | "expired" | "none";
        };
        /** SessionView */
        SessionView: {
            /** Accounts */
            accounts: string[];
            /**
             * Csrf Token
             * @description Send it as X-CSRF-Token on every request that changes something (null for an API key, which needs none)
             */
            csrf_token: string | null;
            role: components["schemas"]["Role"];
            /** User */
            user: string;
        };
        /**
         * Side
         * @enum {string}
         */
        Side: "BUY" | "SELL";
        /** SignIn */
        SignIn: {
            /** Name */
            name: string;
            /**
             * Password
             * Format: password
             */
            password: string;
            /**
             * Totp
             * @description The current code of the user's authenticator app (users with TOTP only)
             */
            totp?: string | null;
        };
        /**
         * TargetRequest
         * @description The net position to reach in ``symbol`` (negative: short; 0: flat).
         */
        TargetRequest: {
            product?: components["schemas"]["Product"] | null;
            /** Quantity */
            quantity: number;
            /** Symbol */
            symbol: string;
        };
        /** Trade */
        Trade: {
            /** Client Code */
            client_code?: string | null;
            /** Exchange Order Id */
            exchange_order_id?: string | null;
            /** Filled At */
            filled_at: string;
            /** Order Id */
            order_id: string;
            /** Price */
            price: string;
            product: components["schemas"]["Product"];
            /** Quantity */
            quantity: number;
            side: components["schemas"]["Side"];
            /** Symbol */
            symbol: string;
            /** Trade Id */
            trade_id: string;
        };
        /**
         * UnresolvedOrder
         * @description A journalled order whose outcome is not known yet (``reconcile`` settles it).
         */
        UnresolvedOrder: {
            /** Client */
            client?: string | null;
            /** Client Order Id */
            client_order_id: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Message */
            message?: string | null;
            /** Order Id */
            order_id?: string | null;
            request: components["schemas"]["OrderRequest-Output"];
            /** State */
            state: string;
        };
        /**
         * UserView
         * @description A user as ``users list`` and ``GET /users`` show it: never a password hash.
         */
        UserView: {
            /** Accounts */
            accounts: string[];
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Keys */
            keys: components["schemas"]["KeyView"][];
            /** Name */
            name: string;
            role: components["schemas"]["Role"];
            /** Totp */
            totp: boolean;
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
        /**
         * Validity
         * @enum {string}
         */
        Validity: "DAY" | "IOC";
        /**
         * Variety
         * @enum {string}
         */
        Variety: "regular" | "amo" | "co" | "bo" | "iceberg";
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    accounts_api_v1_accounts_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountInfo"][];
                };
            };
        };
    };
    activate_api_v1_accounts_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewAccount"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountInfo"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    account_api_v1_accounts__account__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountInfo"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    deactivate_api_v1_accounts__account__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    place_basket_api_v1_accounts__account__basket_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
                /** @description Validate and price it, say what would be sent, and send nothing. */
                dry_run?: boolean;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderRequest-Input"][];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BasketResult"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    basket_margin_api_v1_accounts__account__basket_margin_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderRequest-Input"][];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BasketMargin"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_all_api_v1_accounts__account__cancel_all_post: {
        parameters: {
            query?: {
                /** @description Only this symbol's open orders. */
                symbol?: string | null;
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegResult"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    candles_api_v1_accounts__account__candles_get: {
        parameters: {
            query: {
                /** @description A symbol, e.g. NSE:INFY. */
                symbol: string;
                interval: "1m" | "3m" | "5m" | "10m" | "15m" | "30m" | "1h" | "1d";
                /** @description Naive times are IST. */
                from: string;
                /** @description Naive times are IST. */
                to: string;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Candle"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    chain_api_v1_accounts__account__chain_get: {
        parameters: {
            query: {
                underlying: string;
                /** @description Default: the nearest. */
                expiry?: string | null;
                /** @description Strikes on each side of the spot. */
                strikes?: number;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OptionChain"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    clients_api_v1_accounts__account__clients_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string[];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    convert_position_api_v1_accounts__account__convert_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConvertRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Position"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    depth_api_v1_accounts__account__depth_get: {
        parameters: {
            query: {
                /** @description A symbol, e.g. NSE:INFY. */
                symbol: string;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Depth"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    exit_positions_api_v1_accounts__account__exit_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
                /** @description Validate and price it, say what would be sent, and send nothing. */
                dry_run?: boolean;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExitRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegResult"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    expiries_api_v1_accounts__account__expiries_get: {
        parameters: {
            query: {
                underlying: string;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string[];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    funds_api_v1_accounts__account__funds_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Funds"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    gtts_api_v1_accounts__account__gtt_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Gtt"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    place_gtt_api_v1_accounts__account__gtt_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GttRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Gtt"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    gtt_api_v1_accounts__account__gtt__gtt_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                gtt_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Gtt"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_gtt_api_v1_accounts__account__gtt__gtt_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                gtt_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    modify_gtt_api_v1_accounts__account__gtt__gtt_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                gtt_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GttChanges"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Gtt"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    halt_api_v1_accounts__account__halt_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HaltRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HaltResult"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    holdings_api_v1_accounts__account__holdings_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Holding"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    instruments_api_v1_accounts__account__instruments_get: {
        parameters: {
            query: {
                /** @description words of a symbol or name, e.g. 'nifty 24000 ce' */
                q: string;
                exchange?: components["schemas"]["Exchange"] | null;
                /** @description only this kind */
                type?: components["schemas"]["InstrumentType"] | null;
                limit?: number;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Instrument"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    limits_api_v1_accounts__account__limits_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LimitsView"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    login_api_v1_accounts__account__login_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LoginRequest"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Profile"] | components["schemas"]["LoginStarted"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    login_callback_api_v1_accounts__account__login_callback_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Profile"];
                };
            };
            /** @description The login began with return_to: back to that page, with login=ok or login=failed&error=TYPE and account=NAME in its query */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    margins_api_v1_accounts__account__margins_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderRequest-Input"][];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Margin"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    operation_modes_api_v1_accounts__account__operations_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: "native" | "emulated" | "unsupported";
                    };
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    orders_api_v1_accounts__account__orders_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
                status?: ("open" | "complete" | "rejected" | "cancelled") | null;
                symbol?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    place_order_api_v1_accounts__account__orders_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderRequest-Input"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAck"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    order_api_v1_accounts__account__orders__order_id__get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                order_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_order_api_v1_accounts__account__orders__order_id__delete: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                order_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAck"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    modify_order_api_v1_accounts__account__orders__order_id__patch: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                order_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderModify"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAck"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    order_history_api_v1_accounts__account__orders__order_id__history_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                order_id: string;
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    pnl_api_v1_accounts__account__pnl_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PnlSummary"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    positions_api_v1_accounts__account__positions_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Position"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    profile_api_v1_accounts__account__profile_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Profile"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    quotes_api_v1_accounts__account__quotes_get: {
        parameters: {
            query: {
                /** @description EXCHANGE:SYMBOL, comma-separated or repeated */
                symbols: string[];
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: components["schemas"]["Quote"];
                    };
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    reconcile_api_v1_accounts__account__reconcile_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconciledOrder"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    resume_api_v1_accounts__account__resume_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResumeResult"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    place_sliced_api_v1_accounts__account__slice_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
                /** @description Validate and price it, say what would be sent, and send nothing. */
                dry_run?: boolean;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderRequest-Input"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegResult"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    target_position_api_v1_accounts__account__target_post: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
                /** @description Validate and price it, say what would be sent, and send nothing. */
                dry_run?: boolean;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TargetRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegResult"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    trades_api_v1_accounts__account__trades_get: {
        parameters: {
            query?: {
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Trade"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    unresolved_orders_api_v1_accounts__account__unresolved_orders_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnresolvedOrder"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    audit_log_api_v1_audit_get: {
        parameters: {
            query?: {
                /** @description Entries after this time */
                since?: string | null;
                action?: string | null;
                account?: string | null;
                user?: string | null;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEntry"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    brokers_api_v1_brokers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    }[];
                };
            };
        };
    };
    fan_out_api_v1_fan_out_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FanOutRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FanOutItem"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    pnl_across_api_v1_pnl_get: {
        parameters: {
            query?: {
                /** @description Comma-separated; default: every account the caller may read. */
                accounts?: string | null;
                /** @description Dealer logins: the client code to act for (default: the account's default client) */
                client?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PnlReport"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    who_am_i_api_v1_session_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
        };
    };
    sign_in_api_v1_session_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    sign_out_api_v1_session_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_users_api_v1_users_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"][];
                };
            };
        };
    };
    add_user_api_v1_users_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUser"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    remove_user_api_v1_users__name__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    add_key_api_v1_users__name__keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewKey"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MadeKey"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    revoke_key_api_v1_users__name__keys__prefix__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                prefix: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
}
