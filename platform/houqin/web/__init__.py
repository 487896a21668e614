"""The pages' machinery every app's `web/` uses: the page classes (sign-in, the grant, 404 for
what a caller may not see), the frame (navigation from the role registry), forms that show the
services' errors next to their fields, and irreversible acts that happen once however often
they are submitted."""
