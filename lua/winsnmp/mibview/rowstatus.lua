--- RowStatus (RFC 2579): the state table that says what a SET does to a
-- conceptual row.  A pure function, so the table can be read against the
-- RFC's in one place.
-- @module winsnmp.mibview.rowstatus

local rowstatus = {}

local ACTIVE, NOT_IN_SERVICE, NOT_READY = 1, 2, 3
local CREATE_AND_GO, CREATE_AND_WAIT, DESTROY = 4, 5, 6
rowstatus.ACTIVE, rowstatus.NOT_IN_SERVICE, rowstatus.NOT_READY = ACTIVE, NOT_IN_SERVICE, NOT_READY
rowstatus.DESTROY = DESTROY

local INCONSISTENT = "SNMP_ERROR_INCONSISTENTVALUE"

--- The row's state after a SET: `state` is the current status (nil when
-- the row does not exist), `action` the value the SET gives the status
-- column (nil when it sets other columns only), `complete` whether every
-- required column has a value once the SET's other varbinds are applied.
-- Returns the new status (false: the row does not exist afterwards), or
-- nil and the error name.
function rowstatus.transition(state, action, complete)
  if action == NOT_READY or (action ~= nil and (action < 1 or action > 6)) then
    return nil, "SNMP_ERROR_WRONGVALUE" -- notReady is read-only (RFC 2579)
  end
  if action == DESTROY then return false end -- from every state, noError
  if state == nil then -- column A: the row does not exist
    if action == CREATE_AND_GO then
      if complete then return ACTIVE end
      return nil, INCONSISTENT
    elseif action == CREATE_AND_WAIT then
      return complete and NOT_IN_SERVICE or NOT_READY -- note 1
    elseif action == nil then
      -- note 4, at the agent's discretion: a row is created through its
      -- status column only
      return nil, "SNMP_ERROR_INCONSISTENTNAME"
    end
    return nil, INCONSISTENT -- active, notInService
  end
  if action == CREATE_AND_GO or action == CREATE_AND_WAIT then return nil, INCONSISTENT end
  if action == ACTIVE or action == NOT_IN_SERVICE then
    -- from notReady only when this SET supplies what was missing (notes 2, 3)
    if state == NOT_READY and not complete then return nil, INCONSISTENT end
    return action
  end
  -- other columns only: notReady becomes notInService once complete (note 1);
  -- notInService and active stay as they are (notes 5: this agent accepts
  -- changes to an active row)
  if state == NOT_READY then return complete and NOT_IN_SERVICE or NOT_READY end
  return state
end

return rowstatus
